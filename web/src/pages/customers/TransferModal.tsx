// 转交导购: hand customers to another guide with a reason. WeCom allows a customer at most two
// transfers in 90 days, so some of a batch may be refused: the others move, and the refused ones
// are listed with the reason (and the day a transfer is possible again).
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Select } from 'antd';
import { api, ApiError, type TransferResult } from '../../api.ts';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount } from '../../format.ts';
import { useT, type Translate } from '../../i18n/i18n.tsx';
import { activeStaffOptions } from '../../labels.ts';
import { errorText, reasonText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  toStaffId: string;
  reason: string;
}

export interface TransferCandidate {
  id: string;
  name: string | null;
}

function refusalText(t: Translate, r: TransferResult['refused'][number]): string {
  if (r.reason === 'transfer_limit') return t('transfer.refused.transfer_limit', { date: r.possibleFrom ?? '' });
  return t(`transfer.refused.${r.reason}`);
}

export function TransferModal({ customers, onClose, onDone }: { customers: TransferCandidate[]; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<TransferResult>();
  const staff = useRemote((signal) => api.staff({}, { signal }), []);
  // The batch as opened: the page may clear its selection once some have moved.
  const [batch] = useState(customers);
  const nameOf = new Map(batch.map((c) => [c.id, c.name || c.id.slice(0, 8)]));

  const submit = async () => {
    const values = await validValues(form);
    if (!values) return;
    setSaving(true);
    try {
      const done = await api.transferCustomers({ customerIds: batch.map((c) => c.id), toStaffId: values.toStaffId, reason: values.reason.trim() });
      if (done.transferred.length > 0) onDone();
      if (done.refused.length === 0) {
        void message.success(t('transfer.done', { count: formatCount(done.transferred.length) }));
        onClose();
      } else setResult(done);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        form.setFields(err.details.map((d) => ({ name: d.path.replace(/^body\./, '') as keyof Values, errors: [reasonText(t, d)] })));
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const count = formatCount(batch.length);
  return (
    <Modal open title={t('transfer.title', { count })} onCancel={onClose} destroyOnHidden width={560}
      footer={result
        ? <Button type="primary" onClick={onClose}>{t('common.close')}</Button>
        : [
            <Button key="cancel" onClick={onClose}>{t('common.cancel')}</Button>,
            <Button key="ok" type="primary" loading={saving} onClick={() => void submit()} data-testid="transfer-ok">{t('transfer.ok')}</Button>,
          ]}>
      {result ? (
        <Alert type={result.transferred.length > 0 ? 'warning' : 'error'} showIcon data-testid="transfer-result"
          title={t('transfer.partial', { done: formatCount(result.transferred.length), refused: formatCount(result.refused.length) })}
          description={<ul style={{ margin: 0, paddingLeft: 18 }}>{result.refused.map((r) => <li key={r.customerId}>{nameOf.get(r.customerId)}：{refusalText(t, r)}</li>)}</ul>} />
      ) : (
        <>
          <Alert type="info" showIcon title={t('transfer.hint')} style={{ marginBottom: 16 }} />
          <Form<Values> form={form} layout="vertical" requiredMark={false}>
            <Form.Item name="toStaffId" label={t('transfer.to')} rules={[{ required: true, message: t('transfer.to') }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} loading={staff.loading} data-testid="transfer-staff"
                options={activeStaffOptions(staff.data?.items ?? [])} />
            </Form.Item>
            <Form.Item name="reason" label={t('transfer.reason')} rules={[{ required: true, whitespace: true, message: t('transfer.reasonPlaceholder') }, { max: 200 }]}>
              <Input placeholder={t('transfer.reasonPlaceholder')} maxLength={200} data-testid="transfer-reason" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
