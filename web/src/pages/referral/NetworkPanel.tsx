// 推荐网络: pick a customer and see who they brought (level 1) and who those brought (level 2),
// with the spend each brought since; and the list of referrers and distributors with their codes.
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Empty, Form, Input, Modal, Row, Select, Space, Table, Tag, Tree, type TreeDataNode } from 'antd';
import { PlusOutlined, QrcodeOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { fissionApi, type DownlineNode, type Partner } from '../../api-fission.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDate, formatMoney, maskPhone } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

function CustomerPicker({ value, onChange }: { value: string | undefined; onChange: (id: string) => void }) {
  const t = useT();
  const [q, setQ] = useState('');
  const found = useRemote((signal) => api.customers({ ...(q ? { q } : {}), page: 1, pageSize: 20 }, { signal }), [q]);
  return (
    <Select showSearch value={value} onChange={onChange} filterOption={false} onSearch={setQ} placeholder={t('fission.net.search')} style={{ width: 320 }} loading={found.loading}
      data-testid="network-customer" options={(found.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name || '—'} ${maskPhone(c.phone)}` }))} />
  );
}

export function NetworkPanel() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('referral:write');
  const partners = useRemote((signal) => fissionApi.partners({}, { signal }), []);
  const [customerId, setCustomerId] = useState<string>();
  const tree = useRemote((signal) => (customerId ? fissionApi.tree(customerId, { signal }) : Promise.resolve(undefined)), [customerId]);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ name: string; phone?: string }>();

  const nodes = useMemo((): TreeDataNode[] => {
    const label = (n: DownlineNode, level: 1 | 2) => (
      <Space size="small">
        <Tag color={level === 1 ? 'blue' : 'purple'} variant="filled">{t(level === 1 ? 'fission.net.level1' : 'fission.net.level2')}</Tag>
        <span>{n.name || '—'}</span>
        <span className="muted cell-note">{formatDate(n.attributedAt, zone)} · {t('fission.net.spent')} {formatMoney(n.spentFen)}</span>
      </Space>
    );
    return (tree.data?.children ?? []).map((n) => ({ key: n.customerId, title: label(n, 1), children: n.children.map((c) => ({ key: c.customerId, title: label(c, 2), isLeaf: true })) }));
  }, [tree.data, t, zone]);

  const giveCode = async (target: { customer?: string; partnerId?: string }) => {
    try {
      const made = await fissionApi.createCode(target);
      void message.success(made.code);
      partners.reload();
      tree.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };
  const addPartner = async () => {
    const v = await validValues(form);
    if (!v) return;
    try {
      const p = await fissionApi.createPartner({ name: v.name.trim(), phone: v.phone?.trim() || null });
      await fissionApi.createCode({ partnerId: p.id });
      setAdding(false);
      form.resetFields();
      partners.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    }
  };

  const partnerColumns = [
    { title: t('fission.st.referrer'), key: 'name', render: (_v: unknown, p: Partner) => <Space><span>{p.name || '—'}</span><Tag variant="filled">{t(`fission.net.partner.kind.${p.kind}`)}</Tag></Space> },
    { title: t('fission.net.codes'), dataIndex: 'codes', render: (codes: string[]) => codes.map((c) => <Tag key={c}>{c}</Tag>) },
    { title: t('fission.net.referred'), dataIndex: 'referred', width: 90, align: 'right' as const, render: (n: number) => <span className="num">{formatCount(n)}</span> },
  ];

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <Card variant="borderless" className="panel" title={t('fission.tab.network')} extra={<CustomerPicker value={customerId} onChange={setCustomerId} />}>
          {tree.error && <LoadError error={tree.error} onRetry={tree.reload} />}
          {!customerId && <Empty description={t('fission.net.pick')} />}
          {tree.data && (
            <Space direction="vertical" style={{ width: '100%' }} size="middle">
              <Descriptions size="small" column={3} items={[
                { key: 'upline', label: t('fission.net.upline'), children: tree.data.upline?.name || t('fission.net.none') },
                { key: 'l1', label: t('fission.net.level1'), children: <span className="num">{formatCount(tree.data.level1)}</span> },
                { key: 'l2', label: t('fission.net.level2'), children: <span className="num">{formatCount(tree.data.level2)}</span> },
              ]} />
              {!tree.data.partnerId && (
                <Space><span className="muted">{t('fission.net.noPartner')}</span>
                  {canWrite && <Button size="small" icon={<QrcodeOutlined />} onClick={() => void giveCode({ customer: tree.data?.customerId ?? '' })}>{t('fission.net.giveCode')}</Button>}
                </Space>
              )}
              {nodes.length > 0 ? <Tree treeData={nodes} defaultExpandAll selectable={false} showLine data-testid="referral-tree" key={tree.data.customerId} />
                : tree.data.partnerId && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('fission.net.emptyTree')} />}
            </Space>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card variant="borderless" className="panel" title={t('fission.net.partners')}
          extra={canWrite && <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>{t('fission.net.newPartner')}</Button>}>
          {partners.error && <LoadError error={partners.error} onRetry={partners.reload} />}
          <Table<Partner> rowKey="id" size="small" columns={partnerColumns} dataSource={partners.data?.items ?? []} loading={partners.loading && !partners.data}
            pagination={{ pageSize: 10, hideOnSinglePage: true }} onRow={(p) => ({ onClick: () => p.customerId && setCustomerId(p.customerId) })} />
        </Card>
      </Col>
      <Modal open={adding} title={t('fission.net.newPartner')} onCancel={() => setAdding(false)} onOk={() => void addPartner()} okText={t('common.save')} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('fission.net.partnerName')} rules={[{ required: true, message: t('fission.required') }]}><Input maxLength={50} /></Form.Item>
          <Form.Item name="phone" label={t('fission.net.phone')}><Input maxLength={20} /></Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}
