/** What a resident may do besides voting: the roles a roster row can name. */
export const ROLES = [
  'resident',
  'representative',
  'committee',
  'supervisor',
  'executor',
  'street_office',
] as const;
export type Role = (typeof ROLES)[number];
