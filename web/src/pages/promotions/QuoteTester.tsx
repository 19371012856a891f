// Price a cart against the stored rules and some coupon codes: what a till or the mini-program
// would be told, line by line. Redeems nothing.
import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import { CalculatorOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { PROMOTION_CHANNELS, promotionsApi, type CheckoutQuote, type PromotionChannel } from '../../api-promotions.ts';
import { formatMoney } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { toFen } from './promo-format.ts';
import { errorText } from '../../refusal-text.ts';
import { validValues } from '../../form-values.ts';

interface Values {
  member: boolean;
  channel: PromotionChannel;
  items: { sku: string; name: string; quantity: number; unitPrice: number }[];
  couponCodes: string[];
}

const INITIAL: Values = {
  member: true,
  channel: 'miniprogram',
  items: [{ sku: 'CHERRY', name: '车厘子（斤）', quantity: 5, unitPrice: 50 }, { sku: 'MANGO', name: '芒果', quantity: 2, unitPrice: 20 }],
  couponCodes: [],
};

export function QuoteTester() {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [quote, setQuote] = useState<CheckoutQuote>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  const run = async () => {
    const v = await validValues(form);
    if (!v) return;
    setLoading(true);
    setError(undefined);
    try {
      setQuote(await promotionsApi.quote({
        member: v.member, channel: v.channel, couponCodes: v.couponCodes,
        items: v.items.map((i) => ({ sku: i.sku.trim(), name: i.name, quantity: i.quantity, unitPriceFen: toFen(i.unitPrice) ?? 0 })),
      }));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card variant="borderless" className="panel" title={t('promo.quote.title')} data-testid="quote-tester">
      <p className="muted" style={{ marginTop: 0 }}>{t('promo.quote.hint')}</p>
      <Form form={form} layout="vertical" initialValues={INITIAL}>
        <Space wrap>
          <Form.Item name="channel" label={t('promo.quote.channel')}>
            <Select style={{ width: 140 }} options={PROMOTION_CHANNELS.map((c) => ({ value: c, label: t(`promo.channel.${c}`) }))} />
          </Form.Item>
          <Form.Item name="member" valuePropName="checked" label=" "><Checkbox>{t('promo.quote.member')}</Checkbox></Form.Item>
        </Space>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'sku']} rules={[{ required: true, message: t('promo.form.required') }]}><Input placeholder={t('promo.quote.sku')} style={{ width: 100 }} /></Form.Item>
                  <Form.Item name={[f.name, 'name']}><Input placeholder={t('promo.quote.itemName')} style={{ width: 120 }} /></Form.Item>
                  <Form.Item name={[f.name, 'quantity']} rules={[{ required: true, message: t('promo.form.required') }]}><InputNumber min={1} precision={0} style={{ width: 70 }} aria-label={t('promo.quote.quantity')} /></Form.Item>
                  <Form.Item name={[f.name, 'unitPrice']} rules={[{ required: true, message: t('promo.form.required') }]}><InputNumber min={0} precision={2} prefix="¥" style={{ width: 110 }} aria-label={t('promo.quote.unitPrice')} /></Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button type="dashed" size="small" onClick={() => add({ sku: '', name: '', quantity: 1, unitPrice: 10 })} icon={<PlusOutlined />} style={{ marginBottom: 12 }}>{t('promo.quote.addLine')}</Button>
            </>
          )}
        </Form.List>
        <Form.Item name="couponCodes" label={t('promo.quote.coupons')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} open={false} placeholder="ABCD2345" />
        </Form.Item>
        <Button type="primary" icon={<CalculatorOutlined />} onClick={() => void run()} loading={loading} data-testid="quote-run">{t('promo.quote.run')}</Button>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      {quote && (
        <div style={{ marginTop: 16 }} data-testid="quote-result">
          <Descriptions size="small" column={3} bordered items={[
            { key: 'total', label: t('promo.quote.total'), children: <span className="num">{formatMoney(quote.totalFen)}</span> },
            { key: 'discount', label: t('promo.quote.discount'), children: <span className="num">-{formatMoney(quote.discountFen)}</span> },
            { key: 'payable', label: t('promo.quote.payable'), children: <strong className="num">{formatMoney(quote.payableFen)}</strong> },
          ]} />
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey="lineNo"
            pagination={false}
            dataSource={quote.lines}
            columns={[
              { title: t('promo.quote.itemName'), key: 'item', render: (_v, l) => <span>{l.name || l.sku} × {l.quantity}</span> },
              { title: t('promo.quote.adjustments'), key: 'adj', render: (_v, l) => l.adjustments.map((a) => <div key={a.id + (a.code ?? '')} className="muted cell-note">{a.code ? `${a.name} (${a.code})` : a.name} -{formatMoney(a.discountFen)}</div>) },
              { title: t('promo.quote.total'), dataIndex: 'amountFen', align: 'right', render: (f: number) => <span className="num muted">{formatMoney(f)}</span> },
              { title: t('promo.quote.payable'), dataIndex: 'payableFen', align: 'right', render: (f: number) => <span className="num">{formatMoney(f)}</span> },
            ]}
          />
          {quote.gifts.map((g) => <Tag key={g.code} color="gold" style={{ marginTop: 8 }}>{t('promo.quote.gift', { name: g.name, value: formatMoney(g.valueFen) })}</Tag>)}
          {quote.refusedCoupons.length > 0 && (
            <Alert type="warning" style={{ marginTop: 12 }} title={t('promo.quote.refused')} description={quote.refusedCoupons.map((r) => <div key={r.code}>{r.code}: {r.message}</div>)} />
          )}
        </div>
      )}
    </Card>
  );
}
