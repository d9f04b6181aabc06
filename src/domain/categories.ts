/**
 * Proposal categories. The seed names 12 mandatory-consultation categories
 * by example; these are the default list (editable per community), and
 * `other` is always allowed on top of whatever a community configures.
 */

/** The locales category labels exist in. */
export type CategoryLocale = 'zh-CN' | 'en';

export type CategoryInfo = {
  readonly slug: string;
  readonly label: Readonly<Record<CategoryLocale, string>>;
};

/** The default 12 mandatory-consultation categories, in the seed's order. */
export const MANDATORY_CATEGORIES = [
  {
    slug: 'old_estate_renovation',
    label: { 'zh-CN': '老旧小区改造', en: 'Old estate renovation' },
  },
  { slug: 'public_funds', label: { 'zh-CN': '公共资金使用', en: 'Use of public funds' } },
  { slug: 'property_fee', label: { 'zh-CN': '物业费调整', en: 'Property fee changes' } },
  {
    slug: 'property_service_review',
    label: { 'zh-CN': '物业服务考核', en: 'Property service review' },
  },
  { slug: 'public_facilities', label: { 'zh-CN': '公共设施改造', en: 'Public facility upgrades' } },
  {
    slug: 'maintenance_fund',
    label: { 'zh-CN': '维修资金使用', en: 'Use of the maintenance fund' },
  },
  { slug: 'elevator', label: { 'zh-CN': '加装电梯', en: 'Elevator installation' } },
  { slug: 'parking', label: { 'zh-CN': '停车管理', en: 'Parking management' } },
  { slug: 'waste_sorting', label: { 'zh-CN': '垃圾分类', en: 'Waste sorting' } },
  {
    slug: 'public_space',
    label: { 'zh-CN': '公共空间与绿化微更新', en: 'Public space and greening' },
  },
  { slug: 'pets', label: { 'zh-CN': '宠物管理', en: 'Pet management' } },
  {
    slug: 'community_rules',
    label: { 'zh-CN': '社区公约与议事规则', en: 'Community rules and procedures' },
  },
] as const satisfies readonly CategoryInfo[];

/** The category every community accepts, whatever its list. */
export const OTHER_CATEGORY = {
  slug: 'other',
  label: { 'zh-CN': '其他', en: 'Other' },
} as const satisfies CategoryInfo;

/** Lower-case letters, digits and `_`, starting with a letter, at most 32 characters. */
export const CATEGORY_SLUG_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** The label of a known category, or the slug itself for a community's own. */
export function categoryLabel(slug: string, locale: CategoryLocale): string {
  const known = [...MANDATORY_CATEGORIES, OTHER_CATEGORY].find((c) => c.slug === slug);
  return known ? known.label[locale] : slug;
}

/** Whether a proposal may use `slug` under a community's category list. */
export function isAllowedCategory(categories: readonly string[], slug: string): boolean {
  return slug === OTHER_CATEGORY.slug || categories.includes(slug);
}
