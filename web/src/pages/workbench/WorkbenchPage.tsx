// The guide workbench: today's tasks to complete or skip, and the lists a guide works from —
// birthdays, valuable customers at risk, new friends to welcome, store buyers not in a group.
// Built for a phone held at the counter: one column on narrow screens.
import { useState } from 'react';
import { App, Button, Card, Col, Empty, List, Progress, Row, Select, Space, Table, Tag } from 'antd';
import { CheckOutlined, ForwardOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { acquisitionApi, type GuideTask, type ListedCustomer } from '../../api-acquisition.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRemote } from '../../components/useRemote.ts';
import { formatDate, formatDateTime, todayIn } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { useMe, useTenantZone } from '../../session.tsx';
import { TaskDetail } from './TaskDetail.tsx';
import './workbench.css';
import { activeStaffOptions } from '../../labels.ts';
import { errorText } from '../../refusal-text.ts';

function CustomerList({ title, items, note }: { title: MessageKey; items: ListedCustomer[]; note?: (c: ListedCustomer) => string }) {
  const t = useT();
  return (
    <Card variant="borderless" className="panel workbench-list" size="small" title={<Space>{t(title)}<Tag variant="filled">{items.length}</Tag></Space>}>
      {items.length === 0
        ? <span className="muted">{t('workbench.none')}</span>
        : (
          <List size="small" dataSource={items} renderItem={(c) => (
            <List.Item key={c.id}>
              <Link to={`/customers/${c.id}`}>{c.name || c.id.slice(0, 8)}</Link>
              <span className="muted cell-note">{note ? note(c) : c.note}</span>
            </List.Item>
          )} />
        )}
    </Card>
  );
}

/** How far each guide got with the tasks due today: for managers and operators. */
function TeamCompletion({ onPick }: { onPick: (staffId: string) => void }) {
  const t = useT();
  const zone = useTenantZone();
  const today = todayIn(zone);
  const rows = useRemote((signal) => acquisitionApi.completion({ from: today, to: today }, { signal }), [today]);
  return (
    <Card variant="borderless" className="panel" size="small" title={t('workbench.team')}>
      {rows.error && <LoadError error={rows.error} onRetry={rows.reload} />}
      <Table
        rowKey="staffId" size="small" pagination={false} loading={rows.loading} dataSource={rows.data?.items ?? []}
        locale={{ emptyText: rows.loading ? ' ' : t('workbench.none') }}
        onRow={(r) => ({ onClick: () => onPick(r.staffId), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('workbench.guide'), dataIndex: 'staffName' },
          { title: t('workbench.complete'), dataIndex: 'done', align: 'right', width: 80 },
          { title: t('workbench.skip'), dataIndex: 'skipped', align: 'right', width: 80 },
          { title: t('workbench.open'), dataIndex: 'open', align: 'right', width: 80 },
        ]}
      />
    </Card>
  );
}

export default function WorkbenchPage() {
  const t = useT();
  const me = useMe();
  const zone = useTenantZone();
  const { message } = App.useApp();
  const isGuide = me.role === 'guide';
  const [staffId, setStaffId] = useState<string | undefined>(isGuide ? undefined : (me.staffId ?? undefined));
  const staff = useRemote((signal) => (isGuide ? Promise.resolve({ items: [] }) : api.staff({}, { signal })), [isGuide]);
  const ready = isGuide || staffId !== undefined;
  const bench = useRemote((signal) => (ready ? acquisitionApi.workbench(staffId, { signal }) : Promise.resolve(undefined)), [staffId, ready]);
  const [busy, setBusy] = useState<string | null>(null);

  const finish = async (task: GuideTask, outcome: 'complete' | 'skip') => {
    setBusy(task.id);
    try {
      await acquisitionApi.finishTask(task.id, outcome);
      bench.reload();
    } catch (err) {
      void message.error(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  const wb = bench.data;
  const total = wb ? wb.progress.done + wb.progress.skipped + wb.progress.open : 0;
  const day = (iso: string) => formatDate(iso, zone);
  return (
    <div className="page workbench" data-testid="workbench-page">
      <PageHeader
        title={t('workbench.title')}
        subtitle={wb ? t('workbench.subtitle', { name: wb.staff.name, date: wb.date }) : undefined}
        extra={!isGuide && (
          <Select className="workbench-staff" showSearch optionFilterProp="label" placeholder={t('workbench.staff')} value={staffId} onChange={setStaffId}
            options={activeStaffOptions(staff.data?.items ?? [])} />
        )}
      />
      {!isGuide && <TeamCompletion onPick={setStaffId} />}
      {!ready && <Empty description={t('workbench.pickStaff')} />}
      {bench.error && <LoadError error={bench.error} onRetry={bench.reload} />}
      {wb && (
        <>
          <Card variant="borderless" className="panel" size="small">
            <div className="workbench-progress">
              <Progress percent={total === 0 ? 100 : Math.round(((wb.progress.done + wb.progress.skipped) / total) * 100)} strokeColor="#2f9e5b" />
              <span className="muted">{t('workbench.progress', wb.progress)}</span>
            </div>
          </Card>
          <Card variant="borderless" className="panel" size="small" title={t('workbench.tasks')}>
            {wb.tasks.length === 0
              ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workbench.noTasks')} />
              : (
                <List dataSource={wb.tasks} renderItem={(task) => (
                  <List.Item key={task.id} className="workbench-task" data-testid="workbench-task">
                    <div className="workbench-task-text">
                      <div>{task.title}{task.overdue && <Tag color="red" variant="filled" style={{ marginInlineStart: 8 }}>{t('workbench.overdue')}</Tag>}</div>
                      <div className="muted cell-note">
                        {formatDateTime(task.dueAt, zone)}
                        {task.customer && <> · <Link to={`/customers/${task.customer.id}`}>{task.customer.name}</Link></>}
                      </div>
                      <TaskDetail task={task} />
                    </div>
                    <Space className="workbench-task-actions">
                      <Button type="primary" size="small" icon={<CheckOutlined />} loading={busy === task.id} onClick={() => void finish(task, 'complete')} data-testid="task-complete">{t('workbench.complete')}</Button>
                      <Button size="small" icon={<ForwardOutlined />} disabled={busy === task.id} onClick={() => void finish(task, 'skip')}>{t('workbench.skip')}</Button>
                    </Space>
                  </List.Item>
                )} />
              )}
          </Card>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}><CustomerList title="workbench.birthdaysToday" items={wb.birthdaysToday} /></Col>
            <Col xs={24} lg={12}><CustomerList title="workbench.birthdaysWeek" items={wb.birthdaysThisWeek} note={(c) => c.note.slice(5)} /></Col>
            <Col xs={24} lg={12}><CustomerList title="workbench.newFriends" items={wb.newFriends} note={(c) => formatDateTime(c.note, zone)} /></Col>
            <Col xs={24} lg={12}><CustomerList title="workbench.notInGroup" items={wb.notInGroup} note={(c) => day(c.note)} /></Col>
            <Col xs={24}><CustomerList title="workbench.atRisk" items={wb.atRisk} /></Col>
          </Row>
        </>
      )}
    </div>
  );
}
