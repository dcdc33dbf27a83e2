import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import type { LocalStack } from '../../local/runtime';

/** Opens a case about the order in the local stack's service desk, as an agent would; answers its id. */
export const linkCase = async (stack: LocalStack, orderId: string) => {
  const response = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
    method: 'POST',
    headers: { authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
    body: JSON.stringify({ ticket: { subject: `About ${orderId}`, custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: orderId }] } }),
  });
  return ((await response.json()) as { ticket: { id: number } }).ticket.id;
};

/** What the case shows of its order, as `<status> v<version>` (`undefined vundefined` before anything was written). */
export const caseShows = (stack: LocalStack, caseId: number) => {
  const fields = stack.serviceDesk.tickets.get(caseId)!.custom_fields;
  const value = (id: number) => fields.find((entry) => entry.id === id)?.value;
  return `${value(DEFAULT_FIELD_IDS.orderStatus)} v${value(DEFAULT_FIELD_IDS.orderVersion)}`;
};
