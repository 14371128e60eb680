import type { Dimension, Granularity, TileKpi, Window } from './model';

export const LANGUAGES = ['en', 'ru', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

type Texts = {
  title: string;
  subtitle: string;
  language: string;
  window: string;
  windows: Record<Window, string>;
  scope: string;
  wholeMarket: string;
  value: string;
  dimensions: Record<Dimension, string>;
  kpis: Record<TileKpi, string>;
  previousYear: string;
  change: string;
  target: string;
  notBrokenDown: (dimension: string) => string;
  noData: string;
  asOf: string;
  position: string;
  status: { live: string; connecting: string; reconnecting: string; stale: string };
  health: {
    title: string;
    consumed: string;
    accepted: string;
    duplicates: string;
    rejected: string;
    consumerLag: string;
    projectionLag: string;
    snapshotAge: string;
    dlqPending: string;
    unknown: string;
    seconds: (n: string) => string;
    events: (n: string) => string;
  };
  charts: {
    arrivalsOverYear: (year: number) => string;
    granularity: string;
    granularities: Record<Granularity, string>;
    byNationality: string;
    destinations: string;
    mediaByPlatform: string;
    mediaByCampaign: string;
    revenuePerMonth: (year: number) => string;
    table: string;
    csv: string;
    period: string;
    thisYear: (year: number) => string;
    lastYear: (year: number) => string;
    name: string;
    bookings: string;
  };
};

const en: Texts = {
  title: 'Caravan: tourism KPIs',
  subtitle: 'Live from the event store',
  language: 'Language',
  window: 'Window',
  windows: { '1d': 'Day', '7d': '7 days', '30d': '30 days', mtd: 'Month to date', ytd: 'Year to date' },
  scope: 'Scope',
  wholeMarket: 'Whole market',
  value: 'Value',
  dimensions: {
    nationality: 'Nationality',
    port: 'Port of entry',
    purpose: 'Purpose',
    destination: 'Destination',
    market: 'Market',
    channel: 'Channel',
    platform: 'Platform',
    campaign: 'Campaign',
  },
  kpis: {
    arrivals: 'Arrivals',
    bookings: 'Bookings',
    bookings_cancelled: 'Cancellations',
    revenue_usd: 'Revenue',
    net_revenue_usd: 'Net revenue',
    media_views: 'Media views',
  },
  previousYear: 'A year earlier',
  change: 'Change',
  target: 'Target',
  notBrokenDown: (d) => `Not broken down by ${d.toLowerCase()}`,
  noData: 'No data yet',
  asOf: 'As of',
  position: 'Event-store position',
  status: { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', stale: 'Stale: no connection' },
  health: {
    title: 'Pipeline health',
    consumed: 'Consumed',
    accepted: 'Accepted',
    duplicates: 'Duplicates',
    rejected: 'Rejected',
    consumerLag: 'Consumer lag',
    projectionLag: 'Projection lag',
    snapshotAge: 'Last snapshot',
    dlqPending: 'Dead letters pending',
    unknown: 'unknown',
    seconds: (n) => `${n} s ago`,
    events: (n) => `${n} events`,
  },
  charts: {
    arrivalsOverYear: (y) => `Arrivals in ${y}, with ${y - 1}`,
    granularity: 'Per',
    granularities: { day: 'day', week: 'week', month: 'month' },
    byNationality: 'Arrivals by nationality (top 10)',
    destinations: 'Destinations by bookings',
    mediaByPlatform: 'Media views by platform',
    mediaByCampaign: 'Media views by campaign',
    revenuePerMonth: (y) => `Revenue per month in ${y} (USD)`,
    table: 'Table',
    csv: 'Download CSV',
    period: 'Period',
    thisYear: (y) => String(y),
    lastYear: (y) => String(y),
    name: 'Name',
    bookings: 'Bookings',
  },
};

const ru: Texts = {
  title: 'Caravan: показатели туризма',
  subtitle: 'В реальном времени из хранилища событий',
  language: 'Язык',
  window: 'Период',
  windows: { '1d': 'День', '7d': '7 дней', '30d': '30 дней', mtd: 'С начала месяца', ytd: 'С начала года' },
  scope: 'Срез',
  wholeMarket: 'Весь рынок',
  value: 'Значение',
  dimensions: {
    nationality: 'Гражданство',
    port: 'Пункт въезда',
    purpose: 'Цель поездки',
    destination: 'Направление',
    market: 'Рынок',
    channel: 'Канал',
    platform: 'Платформа',
    campaign: 'Кампания',
  },
  kpis: {
    arrivals: 'Прибытия',
    bookings: 'Бронирования',
    bookings_cancelled: 'Отмены',
    revenue_usd: 'Выручка',
    net_revenue_usd: 'Чистая выручка',
    media_views: 'Просмотры',
  },
  previousYear: 'Год назад',
  change: 'Изменение',
  target: 'Цель',
  notBrokenDown: (d) => `Нет разбивки: ${d.toLowerCase()}`,
  noData: 'Данных пока нет',
  asOf: 'По состоянию на',
  position: 'Позиция в хранилище событий',
  status: {
    live: 'В эфире',
    connecting: 'Подключение…',
    reconnecting: 'Переподключение…',
    stale: 'Устарело: нет соединения',
  },
  health: {
    title: 'Состояние конвейера',
    consumed: 'Прочитано',
    accepted: 'Принято',
    duplicates: 'Дубликаты',
    rejected: 'Отклонено',
    consumerLag: 'Отставание чтения',
    projectionLag: 'Отставание проекций',
    snapshotAge: 'Последний снимок',
    dlqPending: 'Ожидают в DLQ',
    unknown: 'неизвестно',
    seconds: (n) => `${n} с назад`,
    events: (n) => `${n} событий`,
  },
  charts: {
    arrivalsOverYear: (y) => `Прибытия в ${y} г. и в ${y - 1} г.`,
    granularity: 'По',
    granularities: { day: 'дням', week: 'неделям', month: 'месяцам' },
    byNationality: 'Прибытия по гражданству (топ-10)',
    destinations: 'Направления по бронированиям',
    mediaByPlatform: 'Просмотры по платформам',
    mediaByCampaign: 'Просмотры по кампаниям',
    revenuePerMonth: (y) => `Выручка по месяцам, ${y} г. (USD)`,
    table: 'Таблица',
    csv: 'Скачать CSV',
    period: 'Период',
    thisYear: (y) => `${y} г.`,
    lastYear: (y) => `${y} г.`,
    name: 'Название',
    bookings: 'Бронирования',
  },
};

const zh: Texts = {
  title: 'Caravan：旅游关键指标',
  subtitle: '来自事件存储的实时数据',
  language: '语言',
  window: '时间范围',
  windows: { '1d': '当日', '7d': '7天', '30d': '30天', mtd: '本月至今', ytd: '本年至今' },
  scope: '范围',
  wholeMarket: '整体市场',
  value: '值',
  dimensions: {
    nationality: '国籍',
    port: '入境口岸',
    purpose: '目的',
    destination: '目的地',
    market: '市场',
    channel: '渠道',
    platform: '平台',
    campaign: '推广活动',
  },
  kpis: {
    arrivals: '入境人数',
    bookings: '预订',
    bookings_cancelled: '取消',
    revenue_usd: '收入',
    net_revenue_usd: '净收入',
    media_views: '媒体浏览量',
  },
  previousYear: '去年同期',
  change: '变化',
  target: '目标',
  notBrokenDown: (d) => `未按${d}细分`,
  noData: '暂无数据',
  asOf: '截至',
  position: '事件存储位置',
  status: { live: '实时', connecting: '连接中…', reconnecting: '重新连接中…', stale: '已过时：无连接' },
  health: {
    title: '管道状态',
    consumed: '已读取',
    accepted: '已接受',
    duplicates: '重复',
    rejected: '已拒绝',
    consumerLag: '消费延迟',
    projectionLag: '投影延迟',
    snapshotAge: '最新快照',
    dlqPending: '待处理死信',
    unknown: '未知',
    seconds: (n) => `${n} 秒前`,
    events: (n) => `${n} 个事件`,
  },
  charts: {
    arrivalsOverYear: (y) => `${y}年入境人数（对比${y - 1}年）`,
    granularity: '按',
    granularities: { day: '日', week: '周', month: '月' },
    byNationality: '按国籍的入境人数（前10）',
    destinations: '按预订排名的目的地',
    mediaByPlatform: '按平台的媒体浏览量',
    mediaByCampaign: '按推广活动的媒体浏览量',
    revenuePerMonth: (y) => `${y}年每月收入（美元）`,
    table: '表格',
    csv: '下载 CSV',
    period: '期间',
    thisYear: (y) => `${y}年`,
    lastYear: (y) => `${y}年`,
    name: '名称',
    bookings: '预订',
  },
};

export const TEXTS: Record<Language, Texts> = { en, ru, zh };
/** The locale numbers, dates and currency are formatted in. */
export const LOCALES: Record<Language, string> = { en: 'en-US', ru: 'ru-RU', zh: 'zh-CN' };
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ru: 'Русский', zh: '中文' };
