// 社群详情: purpose and capacity, the classification with its reasons and recommended actions,
// weekly figures (ECharts), members with their recent messages, and the messages themselves.
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, Descriptions, List, Popconfirm, Row, Segmented, Skeleton, Space, Table, Tabs, Tag } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { groupsApi, type GroupMember, type GroupMessage } from '../../api-groups.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatCount, formatDateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useCan } from '../../permissions.ts';
import { useTenantZone } from '../../session.tsx';
import { actionText, HealthBadge, reasonText } from './health.tsx';
import { GroupWelcomeCard } from './GroupWelcomeCard.tsx';

const MEMBER_STATUSES = ['current', 'left', 'all'] as const;
type MemberStatus = (typeof MEMBER_STATUSES)[number];

export default function GroupDetailPage() {
  const t = useT();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const canWrite = useCan('groups:write');
  const { id = '' } = useParams();
  const [refresh, setRefresh] = useState(0);
  const [memberPage, setMemberPage] = useState(1);
  // Members in the group now by default (the tab's count is the group's size); those who left on request.
  const [memberStatus, setMemberStatus] = useState<MemberStatus>('current');
  const [messagePage, setMessagePage] = useState(1);
  const group = useRemote((signal) => groupsApi.get(id, { signal }), [id, refresh]);
  const members = useRemote((signal) => groupsApi.members(id, { page: memberPage, pageSize: 10, status: memberStatus }, { signal }), [id, memberPage, memberStatus]);
  const messages = useRemote((signal) => groupsApi.messages(id, { page: messagePage, pageSize: 10 }, { signal }), [id, messagePage]);
  const history = useRemote((signal) => groupsApi.history(id, { signal }), [id]);
  const g = group.data;

  const option = useMemo<ChartOption>(() => {
    const weeks = g?.weeks ?? [];
    const line = (name: MessageKey, data: number[], yAxisIndex = 0) => ({ type: 'line' as const, name: t(name), data, yAxisIndex });
    return {
      color: ['#2f6fed', '#13a8a8', '#f5a623', '#8c8c8c', '#52c41a', '#cf1322'],
      grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: weeks.map((w) => w.week), axisLabel: { color: '#7a828e' } },
      yAxis: [{ type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } }, { type: 'value', minInterval: 1, splitLine: { show: false } }],
      series: [
        { type: 'bar', name: t('groups.series.messages'), data: weeks.map((w) => w.messages), barMaxWidth: 28 },
        line('groups.series.activeMembers', weeks.map((w) => w.activeMembers)),
        line('groups.series.staffMessages', weeks.map((w) => w.staffMessages)),
        line('groups.series.members', weeks.map((w) => w.members), 1),
        line('groups.series.memberReplies', weeks.map((w) => w.memberReplies)),
        line('groups.series.leaves', weeks.map((w) => w.leaves)),
      ],
    };
  }, [g, t]);

  if (group.error) return <div className="page"><LoadError error={group.error} onRetry={group.reload} /></div>;
  if (!g) return <div className="page"><Skeleton active /></div>;

  const dissolve = async () => {
    await groupsApi.update(g.id, { status: 'dissolved' });
    message.success(t('groups.dissolved'));
    setRefresh((n) => n + 1);
  };

  const memberColumns = [
    { title: t('groups.member.name'), key: 'name', render: (_: unknown, m: GroupMember) => <Link to={`/customers/${m.customerId}`}>{m.name || m.customerId.slice(0, 8)}</Link> },
    { title: t('groups.member.joined'), key: 'joined', render: (_: unknown, m: GroupMember) => formatDateTime(m.joinedAt, zone) },
    ...(memberStatus === 'current' ? [] : [{ title: t('groups.member.left'), key: 'left', render: (_: unknown, m: GroupMember) => (m.leftAt ? formatDateTime(m.leftAt, zone) : '—') }]),
    { title: t('groups.member.messages'), key: 'messages', align: 'right' as const, render: (_: unknown, m: GroupMember) => formatCount(m.messages90d) },
  ];

  return (
    <div className="page" data-testid="group-detail">
      <PageHeader
        before={<Link to="/groups" className="page-back"><ArrowLeftOutlined /> {t('groups.detail.back')}</Link>}
        title={<Space>{g.name || g.chatId}<HealthBadge health={g.health} t={t} />{g.status === 'dissolved' && <Tag>{t('groups.dissolved')}</Tag>}</Space>}
        subtitle={`${t(`groups.kind.${g.kind}` as MessageKey)} · ${g.owner?.name ?? '—'} · ${g.store?.name ?? '—'} · ${formatCount(g.members)} / ${t('groups.detail.capacity', { capacity: g.capacity })}`}
        extra={canWrite && g.status === 'active' && (
          <Popconfirm title={t('groups.detail.dissolveConfirm')} onConfirm={() => void dissolve()}><Button danger>{t('groups.detail.dissolve')}</Button></Popconfirm>
        )}
      />
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card variant="borderless" className="panel" title={t('groups.detail.classification')} data-testid="group-classification">
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('groups.detail.purpose')}>{g.purpose || <span className="page-subtitle">{t('groups.detail.noPurpose')}</span>}</Descriptions.Item>
              {g.health && <Descriptions.Item label={t('groups.col.shape')}>{t(`groups.shape.${g.health.shape}` as MessageKey)}</Descriptions.Item>}
            </Descriptions>
            {g.health ? (
              <>
                <div className="page-subtitle" style={{ margin: '8px 0' }}>{t('groups.detail.week', { week: g.health.week })}</div>
                <List size="small" dataSource={g.health.reasons} renderItem={(r) => <List.Item>{reasonText(r, t)}</List.Item>} />
                <h4 style={{ marginTop: 16 }}>{t('groups.detail.actions')}</h4>
                {g.health.actions.length === 0 ? <span className="page-subtitle">{t('groups.detail.noActions')}</span>
                  : <Space wrap>{g.health.actions.map((a) => <Tag color="processing" key={a}>{actionText(a, t)}</Tag>)}</Space>}
              </>
            ) : <span className="page-subtitle">{t('groups.noHealth')}</span>}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card variant="borderless" className="panel" title={t('groups.detail.weekly')}>
            <EChart option={option} height={300} testId="group-weekly-chart" />
          </Card>
        </Col>
      </Row>
      <Card variant="borderless" className="panel" style={{ marginTop: 16 }}>
        <Tabs items={[
          {
            key: 'messages', label: t('groups.detail.messages'), children: (
              <Table<GroupMessage> rowKey="eventId" size="small" dataSource={messages.data?.items ?? []} loading={messages.loading}
                pagination={{ current: messagePage, pageSize: 10, total: messages.data?.total ?? 0, onChange: setMessagePage, showSizeChanger: false }}
                columns={[
                  { title: t('groups.rules.log.at'), key: 'at', width: 170, render: (_, m) => formatDateTime(m.at, zone) },
                  { title: t('groups.member.name'), key: 'sender', width: 160, render: (_, m) => (
                    <Space>{m.sender.name || m.sender.id.slice(0, 8)}{m.sender.kind === 'staff' && <Tag color={m.sender.isOwner ? 'blue' : 'cyan'}>{t(m.sender.isOwner ? 'groups.message.owner' : 'groups.message.staff')}</Tag>}</Space>
                  ) },
                  { title: t('groups.detail.messages'), key: 'text', render: (_, m) => (
                    <>
                      {m.replyTo && <div className="page-subtitle">{t('groups.message.replyTo', { name: m.replyTo.name || m.replyTo.id.slice(0, 8) })}</div>}
                      {m.text}
                      {m.hasLink && <Tag style={{ marginLeft: 6 }}>{t('groups.message.link')}</Tag>}
                      {m.flagged && <Tag color="red" style={{ marginLeft: 6 }}>{t('groups.message.flagged')}</Tag>}
                    </>
                  ) },
                ]} />
            ),
          },
          {
            key: 'members', label: `${t('groups.detail.members')} (${formatCount(g.members)})`, children: (
              <>
                <Segmented<MemberStatus> style={{ marginBottom: 12 }} value={memberStatus} data-testid="member-status"
                  onChange={(v) => { setMemberStatus(v); setMemberPage(1); }}
                  options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`groups.detail.memberStatus.${s}`) }))} />
                <Table<GroupMember> rowKey="customerId" size="small" columns={memberColumns} dataSource={members.data?.items ?? []} loading={members.loading}
                  pagination={{ current: memberPage, pageSize: 10, total: members.data?.total ?? 0, onChange: setMemberPage, showSizeChanger: false }} />
              </>
            ),
          },
          {
            key: 'history', label: t('groups.detail.history'), children: (
              <Table rowKey={(h) => `${h.customerId}-${h.at}-${h.action}`} size="small" dataSource={history.data?.items ?? []} loading={history.loading} pagination={{ pageSize: 10, showSizeChanger: false }}
                columns={[
                  { title: t('groups.rules.log.at'), key: 'at', render: (_, h) => formatDateTime(h.at, zone) },
                  { title: t('groups.member.name'), key: 'name', render: (_, h) => <Link to={`/customers/${h.customerId}`}>{h.name || h.customerId.slice(0, 8)}</Link> },
                  { title: t('groups.rules.log.action'), key: 'action', render: (_, h) => <Tag color={h.action === 'joined' ? 'green' : 'default'}>{t(h.action === 'joined' ? 'groups.history.joined' : 'groups.history.left')}</Tag> },
                ]} />
            ),
          },
        ]} />
      </Card>
      {g ? <GroupWelcomeCard groupId={g.id} kind={g.kind} canWrite={canWrite} /> : null}
    </div>
  );
}
