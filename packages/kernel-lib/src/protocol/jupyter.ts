/**
 * The Jupyter messaging protocol's message header, as the kernel and its runtime read it
 * (https://jupyter-client.readthedocs.io/en/stable/messaging.html#message-header).
 */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}
