// The console's look: AntD tokens in the pond colours of the Yuchi mark.
import type { ThemeConfig } from 'antd';

export const POND = '#0b8a8f';

export const theme: ThemeConfig = {
  token: {
    colorPrimary: POND,
    colorInfo: POND,
    colorLink: '#0a73b7',
    borderRadius: 8,
    fontFamily:
      '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    colorBgLayout: '#f3f5f8',
    colorTextHeading: '#1f2633',
    colorText: '#2b3340',
    colorTextSecondary: '#6b7380',
  },
  components: {
    Layout: { headerBg: '#ffffff', siderBg: '#ffffff', headerHeight: 56, headerPadding: '0 20px', bodyBg: '#f3f5f8' },
    Menu: {
      itemBorderRadius: 8,
      itemMarginInline: 10,
      itemHeight: 40,
      itemSelectedBg: '#e6f6f5',
      itemSelectedColor: POND,
      groupTitleColor: '#9aa3ae',
      groupTitleFontSize: 12,
    },
    Card: { headerFontSize: 15, paddingLG: 20 },
    Table: { headerBg: '#f7f9fb', headerColor: '#5c6470', headerSplitColor: 'transparent', rowHoverBg: '#f5fbfb' },
  },
};

/** The same look without animations, for people whose system asks for reduced motion. */
export const reducedMotionTheme: ThemeConfig = { ...theme, token: { ...theme.token, motion: false } };
