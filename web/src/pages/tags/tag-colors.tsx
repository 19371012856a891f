// Tag colours: AntD's preset palette, so a chip reads well on white in any colour. A new tag takes
// its group's colour, so the tags of one group look alike on a customer's page.
import { Tooltip } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import type { TagGroup } from '../../api.ts';

export const TAG_COLORS = ['blue', 'cyan', 'green', 'lime', 'gold', 'orange', 'volcano', 'red', 'magenta', 'purple', 'geekblue'] as const;

/** The presets' base colours, for the swatches. */
const SWATCH: Record<(typeof TAG_COLORS)[number], string> = {
  blue: '#1677ff', cyan: '#13c2c2', green: '#52c41a', lime: '#a0d911', gold: '#faad14', orange: '#fa8c16',
  volcano: '#fa541c', red: '#f5222d', magenta: '#eb2f96', purple: '#722ed1', geekblue: '#2f54eb',
};

/** The colour of a group's first tag, or one of the palette by the group's place in the list. */
export function groupColor(groups: readonly TagGroup[], groupId: string): string {
  const index = groups.findIndex((g) => g.id === groupId);
  const first = groups[index]?.tags[0];
  if (first) return first.color;
  return TAG_COLORS[Math.max(0, index) % TAG_COLORS.length] ?? 'blue';
}

export function ColorPicker({ value, onChange }: { value: string; onChange: (color: string) => void }) {
  return (
    <div className="color-picker" role="radiogroup">
      {TAG_COLORS.map((color) => (
        <Tooltip key={color} title={color}>
          <button
            type="button"
            role="radio"
            aria-checked={value === color}
            aria-label={color}
            className="color-swatch"
            style={{ background: SWATCH[color] }}
            onClick={() => onChange(color)}
          >
            {value === color && <CheckOutlined />}
          </button>
        </Tooltip>
      ))}
    </div>
  );
}
