// An address's local part, up to the @; quotes and separators end it, so a match never crosses
// a JSON string's boundary and masked JSON stays JSON.
const EMAIL = /([^\s@"'<>(),;:\\[\]]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

/**
 * `text` with each e-mail address cut to its first character and its domain
 * (`ann@example.com` → `a…@example.com`): for readers who may not see users' details, whose
 * entries still have to say roughly who acted.
 */
export const maskEmails = (text: string): string =>
  text.replace(EMAIL, (_match, local: string, domain: string) => `${local.slice(0, 1)}…@${domain}`);
