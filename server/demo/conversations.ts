import type { TicketPriority } from "../db/types.ts";

// What the demo's customers write about and how the team answers, as whole conversations so a
// thread reads in order: the customer's request, the agent's first answer (usually a question or a
// first step), the customer's follow-up, and the agent's resolution. A younger ticket stops
// earlier in its conversation. {first} is the customer's first name, {agent} the agent's.

export interface Conversation {
  subject: string;
  group: "Support" | "Billing" | "Technical";
  priority: TicketPriority;
  channel: "email" | "chat" | "web" | "phone" | "api";
  turns: [customer: string, agent: string, customerAgain: string, resolution: string];
  note?: string;
}

export const GROUPS = ["Support", "Billing", "Technical"] as const;

export const AGENTS = [
  { name: "Ada Byrne", group: "Support" },
  { name: "Tomás Ortega", group: "Support" },
  { name: "Mei Lin", group: "Billing" },
  { name: "Kwame Mensah", group: "Billing" },
  { name: "Sofia Rossi", group: "Technical" },
  { name: "Jonas Berg", group: "Technical" },
] as const;

export const ORGANIZATIONS = [
  { name: "Acme Corp", domain: "acme.example" },
  { name: "Globex", domain: "globex.example" },
  { name: "Initech", domain: "initech.example" },
  { name: "Umbrella Health", domain: "umbrella-health.example" },
  { name: "Hooli", domain: "hooli.example" },
  { name: "Stark Logistics", domain: "stark-logistics.example" },
] as const;

// Customers without a company write from a personal address.
export const PERSONAL_DOMAIN = "mail.example";

export const FIRST_NAMES = [
  "Alex",
  "Sam",
  "Jordan",
  "Priya",
  "Lena",
  "Omar",
  "Grace",
  "Luis",
  "Hana",
  "Noah",
  "Zoe",
  "Ivan",
  "Amara",
  "Ben",
  "Chloé",
  "Daniel",
  "Elif",
  "Farah",
  "Gabriel",
  "Hiro",
  "Isabel",
  "Jamal",
  "Kasia",
  "Leo",
  "Maya",
  "Nils",
  "Olivia",
  "Pedro",
  "Rosa",
  "Tariq",
];

export const LAST_NAMES = [
  "Smith",
  "Garcia",
  "Kim",
  "Novak",
  "Okafor",
  "Dubois",
  "Silva",
  "Nakamura",
  "Müller",
  "Haddad",
  "Andersen",
  "Brown",
  "Costa",
  "Davies",
  "Eriksson",
  "Fischer",
  "Gupta",
  "Hughes",
  "Ivanova",
  "Jensen",
  "Kowalski",
  "Lopez",
  "Moreau",
  "Nguyen",
  "O'Brien",
  "Patel",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Walsh",
];

export const CONVERSATIONS: Conversation[] = [
  {
    subject: "Cannot log in after password reset",
    group: "Support",
    priority: "high",
    channel: "email",
    turns: [
      'Hi,\n\nI reset my password this morning and now the login page just says "invalid credentials". The whole team is waiting on me. Can you help?\n\n{first}',
      "Hi {first},\n\nSorry about that! The reset link signs you out everywhere; could you clear your browser's cookies for our site and try the new password once more? If it still fails, tell me which browser you use.\n\n{agent}",
      "Cleared the cookies, same error. I'm on Firefox 128 on Windows.",
      "Thanks {first}, that helped: Firefox kept the old password in its autofill. I've unlocked your account after the failed attempts; type the new password by hand and you're in.\n\n{agent}",
    ],
    note: "Third lockout after a reset this week; raised with engineering.",
  },
  {
    subject: "Invoice shows the wrong VAT number",
    group: "Billing",
    priority: "normal",
    channel: "email",
    turns: [
      "Hello,\n\nOur November invoice carries our old VAT number. Our accounts team can't book it like this. Could you reissue it?\n\nThanks, {first}",
      "Hi {first},\n\nOf course. What is the VAT number we should use from now on?\n\n{agent}",
      "It's DE 811 907 980. Thank you!",
      "Done: the number is updated on your account and the corrected invoice is attached to your billing page. Future invoices will carry it too.\n\n{agent}",
    ],
  },
  {
    subject: "Export to CSV times out",
    group: "Technical",
    priority: "normal",
    channel: "web",
    turns: [
      'Exporting last quarter\'s orders to CSV runs for a minute and then fails with "Request timed out". Smaller ranges work.',
      "Thanks {first}. How many orders are in that quarter, roughly? And does it fail at the same point every time?",
      "About 40,000 orders. Yes, always after about a minute.",
      "Large exports now run in the background: start it again and you'll get an email with the file when it's ready (a few minutes for 40,000 rows).\n\n{agent}",
    ],
    note: "Same as last month's export issue; the background export shipped on Tuesday.",
  },
  {
    subject: "Refund for a duplicate charge",
    group: "Billing",
    priority: "high",
    channel: "email",
    turns: [
      "Hi, my card was charged twice for the annual plan on the 3rd. Please refund one of them.\n\n{first}",
      "Hi {first},\n\nI can see both charges and I'm sorry for the trouble. Could you confirm the last four digits of the card so I refund the right one?\n\n{agent}",
      "It ends in 4417.",
      "I've refunded the second charge to the card ending 4417. Banks take 3 to 5 business days to show it.\n\n{agent}",
    ],
  },
  {
    subject: "How do I add a second admin?",
    group: "Support",
    priority: "low",
    channel: "chat",
    turns: [
      "Hey! How do I give my colleague admin rights?",
      "Hi {first}! Go to Settings, then Team, and invite them by email. Would they be an admin for everything, or only billing?",
      "Everything, she's my co-founder.",
      "Then pick the Admin role in the invite. She'll get an email with a link to set her password. Anything else I can help with?",
    ],
  },
  {
    subject: "App crashes when uploading a photo",
    group: "Technical",
    priority: "high",
    channel: "email",
    turns: [
      "The iOS app closes as soon as I pick a photo to attach to an order. It started after yesterday's update.\n\n{first}",
      "Hi {first},\n\nThanks for the report. Which iPhone model and iOS version do you have? And does it happen with every photo?\n\n{agent}",
      "iPhone 13, iOS 18.2. Every photo, even screenshots.",
      "We found it: a crash with photos from iCloud on iOS 18.2. Version 5.4.1, out today in the App Store, fixes it. Sorry for the hassle!\n\n{agent}",
    ],
    note: "Engineering confirmed: crash in the image picker on 18.2, fixed in 5.4.1.",
  },
  {
    subject: "Webhook deliveries failing with 401",
    group: "Technical",
    priority: "urgent",
    channel: "api",
    turns: [
      "Since 09:10 UTC every webhook delivery to our endpoint fails with 401. We rotated our keys yesterday.",
      "Hi {first}, deliveries are signed with the secret shown on the webhook's page. Did you copy the new secret into your endpoint's configuration after the rotation?",
      "We did, but the old secret was still cached in one of our pods. Restarted them, still a few failures.",
      "The last 20 deliveries succeeded on our side. I've replayed the ones that failed since 09:10, so you're not missing any events.\n\n{agent}",
    ],
  },
  {
    subject: "Change the billing email address",
    group: "Billing",
    priority: "low",
    channel: "web",
    turns: [
      "Please send our invoices to accounts@ from now on instead of to me.",
      "Happy to, {first}. Should the receipts for card payments go there too?",
      "Yes, everything billing related.",
      "All set: invoices and receipts now go to your accounts address.\n\n{agent}",
    ],
  },
  {
    subject: "Two-factor codes not arriving by SMS",
    group: "Support",
    priority: "high",
    channel: "phone",
    turns: [
      "Caller says the SMS codes for two-factor sign-in stopped arriving this morning.",
      "Asked {first} to check that the phone number on the profile is current; it is. Suggested switching to an authenticator app meanwhile.",
      "{first} called back: still no SMS, and can't set up the app without signing in.",
      "Verified identity by the account's security questions, reset two-factor, and walked {first} through setting up the authenticator app. Signed in fine.",
    ],
  },
  {
    subject: "Order 4411 arrived damaged",
    group: "Support",
    priority: "normal",
    channel: "email",
    turns: [
      "Hi,\n\nOrder 4411 arrived today and two of the six mugs are broken. The box was crushed on one side.\n\n{first}",
      "Hi {first},\n\nI'm sorry! Could you send a photo of the box and the broken mugs? Then I'll arrange the replacement.\n\n{agent}",
      "Photos attached. The courier left it on the porch in the rain.",
      "Thanks for the photos. Two replacement mugs are on their way (tracking number in a separate mail), and there's no need to return the broken ones.\n\n{agent}",
    ],
  },
  {
    subject: "API rate limit too low for our sync",
    group: "Technical",
    priority: "normal",
    channel: "email",
    turns: [
      "Our nightly sync hits the API rate limit after about 20 minutes. Can the limit be raised for our account?\n\n{first}",
      "Hi {first},\n\nHow many requests per minute does the sync send, and does it use the bulk endpoints?\n\n{agent}",
      "About 900 a minute, one request per record. We didn't know about bulk endpoints.",
      "The bulk endpoint takes 100 records per request, so your sync would need about 9 requests a minute. I've sent you the guide; let us know if it still runs into the limit.\n\n{agent}",
    ],
  },
  {
    subject: "Cancel my subscription",
    group: "Billing",
    priority: "normal",
    channel: "chat",
    turns: [
      "I'd like to cancel my subscription at the end of this month.",
      "Sorry to see you go, {first}. May I ask why? If it's the price, the smaller plan may fit.",
      "We're a smaller team now, the smaller plan would actually work.",
      "I've moved you to the Starter plan from the next billing date, and you keep all your data. Thanks for staying with us!",
    ],
  },
  {
    subject: "Data import stuck at 95%",
    group: "Technical",
    priority: "high",
    channel: "email",
    turns: [
      "Our contact import has shown 95% for three hours. Should I start it again?\n\n{first}",
      "Hi {first},\n\nPlease don't restart it yet: I'm checking the job. Was the file a CSV export from your old CRM?\n\n{agent}",
      "Yes, from our old CRM. About 12,000 contacts.",
      "Found it: three rows had a line break inside an address, which stalled the import. I've fixed those rows and the import has finished; all 12,000 contacts are in.\n\n{agent}",
    ],
    note: "Importer should skip or report malformed rows instead of stalling; filed as a bug.",
  },
  {
    subject: "SSO sign-in fails for new employees",
    group: "Technical",
    priority: "urgent",
    channel: "email",
    turns: [
      'New employees who joined this week get "user not provisioned" when they sign in with SSO. Existing staff are fine.\n\n{first}',
      "Hi {first},\n\nIs automatic provisioning turned on in your identity provider's app settings? It's off by default.\n\n{agent}",
      "It was off. Turned it on, but the new people still get the error.",
      "Provisioning runs every 40 minutes on their side; I've triggered it manually for your tenant and the new employees can sign in now.\n\n{agent}",
    ],
  },
  {
    subject: "Question about the annual plan discount",
    group: "Billing",
    priority: "low",
    channel: "web",
    turns: [
      "If we switch to annual billing now, is the discount applied to the remaining months of this year?",
      "Hi {first}, yes: we credit the unused part of your monthly plan. Would you like me to switch you now?",
      "Yes please, from today.",
      "Done: you're on the annual plan from today, and the credit for this month is on your next invoice.\n\n{agent}",
    ],
  },
];
