// The admin API's shapes live in app/shared (the hub declares its answers with the same types).
export type { Activity, ApprovalSettings, HubStatus, Outcome, PanelState, Pending, Policy, ProviderLogLine, ProviderStatus, Rule } from '../../app/shared/admin-types';
export { PERMISSIONS_PROVIDER } from '../../app/shared/admin-types';
