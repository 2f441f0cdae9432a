// The admin API's shapes live in app/shared (the hub declares its answers with the same types).
export type {
  Activity,
  AllowAnswer,
  ApiErrorBody,
  ApprovalSettings,
  ClientRequest,
  DecisionAnswer,
  DecisionRequest,
  DeleteRuleRequest,
  HubStatus,
  Outcome,
  PanelState,
  Pending,
  Policy,
  ProviderLogLine,
  ProviderStatus,
  RevokeAnswer,
  RotateAnswer,
  Rule,
  TokenCreated,
} from '../../app/shared/admin-types';
export { isRegistrantSession, PERMISSIONS_PROVIDER } from '../../app/shared/admin-types';
