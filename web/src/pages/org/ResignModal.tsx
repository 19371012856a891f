// 离职交接: a guide leaves; every customer they serve and their open tasks go to a successor in one
// go (an inheritance, which WeCom does not count against a customer's two transfers in 90 days).
import { useState } from 'react';
import { Alert, App, Modal, Select } from 'antd';
import { api, type StaffMember } from '../../api.ts';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { staffOption } from '../../labels.ts';
import { errorText } from '../../refusal-text.ts';

const OK_TEST_ID = { 'data-testid': 'resign-ok' };

export function ResignModal({ leaving, onClose, onDone }: { leaving: StaffMember; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [successorId, setSuccessorId] = useState<string>();
  const [saving, setSaving] = useState(false);
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  // Colleagues of the same store first: they usually take over.
  const candidates = (staff.data?.items ?? [])
    .filter((s) => s.status === 'active' && s.id !== leaving.id)
    .sort((a, b) => Number(b.store?.id === leaving.store?.id) - Number(a.store?.id === leaving.store?.id));

  const submit = async () => {
    const successor = candidates.find((s) => s.id === successorId);
    if (!successor) return;
    setSaving(true);
    try {
      const { inherited } = await api.resignStaff(leaving.id, successor.id);
      void message.success(t('org.resigned.done', { name: leaving.name, count: formatCount(inherited), successor: successor.name }));
      onDone();
      onClose();
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('org.resignTitle', { name: leaving.name })} onCancel={onClose} onOk={() => void submit()} confirmLoading={saving}
      okText={t('org.resignOk')} okButtonProps={{ danger: true, disabled: !successorId, ...OK_TEST_ID }} cancelText={t('common.cancel')} destroyOnHidden>
      <Alert type="warning" showIcon title={t('org.resignHint', { name: leaving.name })} style={{ marginBottom: 16 }} />
      <Select showSearch={{ optionFilterProp: 'label' }} placeholder={t('org.successor')} value={successorId} onChange={setSuccessorId}
        style={{ width: '100%' }} loading={staff.loading} data-testid="resign-successor"
        options={candidates.map(staffOption)} />
    </Modal>
  );
}
