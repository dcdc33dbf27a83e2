/** A change-notification subscription the ERP holds (Business Central `subscription`). */
export interface ErpSubscription {
  subscriptionId: string;
  notificationUrl: string;
  resource: string;
  clientState?: string;
  /** ISO-8601; the ERP stops notifying after it. */
  expirationDateTime: string;
  /** For compare-and-set renewals (`If-Match`). */
  etag?: string;
}

/** The ERP's subscriptions API. Creating or renewing makes the ERP check the notification URL first (the handshake). */
export interface ErpSubscriptionsPort {
  list(): Promise<ErpSubscription[]>;
  create(request: { notificationUrl: string; resource: string; clientState: string }): Promise<ErpSubscription>;
  /** Extends the subscription's life (and sets its clientState); the ERP decides the new expiry. */
  renew(subscription: ErpSubscription, clientState: string): Promise<ErpSubscription>;
}
