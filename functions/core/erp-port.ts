import type { ErpCommand } from './canonical/erp-command';

/** What the ERP answered to a command: its own document number for the effect. */
export interface ErpReceipt {
  erpReference: string;
  /** True when the ERP recognised the idempotency key and returned the earlier effect. */
  replayed: boolean;
}

/** The ERP as the product sees it. Adapters translate to one ERP's API. */
export interface ErpPort {
  execute(command: ErpCommand): Promise<ErpReceipt>;
}
