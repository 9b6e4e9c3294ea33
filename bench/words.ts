// Word lists for generated tickets. Subjects are built from an object, a problem and a
// context, the way customers write them; bodies draw from a vocabulary whose early words are
// picked far more often than late ones (as in real text), so search sees both common terms that
// match tens of thousands of tickets and rare ones that match a handful.

// Written as one string each to keep the lists readable; "|" separates entries.
const list = (text: string) => text.trim().split(/\s*\|\s*/);

export const SUBJECT_OBJECTS = list(`
  invoice | password | login | export | import | webhook | refund | subscription | order |
  shipment | payment | account | dashboard | report | integration | api | mobile app |
  notification | email | calendar | billing address | two-factor code | single sign-on |
  printer | license | upload | search | checkout | coupon | profile
`);

export const SUBJECT_PROBLEMS = list(`
  not working | fails | shows an error | is missing | is very slow | times out |
  was charged twice | cannot be changed | keeps crashing | is wrong | stopped syncing |
  does not arrive | needs cancelling | question | request
`);

export const SUBJECT_CONTEXTS = list(`
  after the update | on mobile | since yesterday | for new users | in Safari |
  for our whole team | urgent | again | on Android | on iPhone | with Okta | in production
`);

export const VOCABULARY = list(`
  please | help | thanks | error | account | today | team | again | still | issue | problem |
  customer | order | invoice | payment | login | password | update | page | button | email |
  message | screen | browser | support | working | broken | refund | charge | billing |
  subscription | plan | upgrade | downgrade | cancel | export | import | report | dashboard |
  settings | profile | notification | mobile | desktop | android | iphone | safari | chrome |
  firefox | windows | macos | linux | webhook | integration | api | token | timeout | slow |
  crash | freeze | blank | missing | duplicate | wrong | delayed | urgent | deadline | friday |
  monday | weekend | yesterday | morning | afternoon | manager | colleague | admin | user |
  users | permission | access | denied | forbidden | unauthorized | certificate | domain | dns |
  redirect | loop | cookie | session | expired | reset | link | verification | code | sms |
  authenticator | okta | azure | google | saml | scim | provisioning | calendar | sync |
  conflict | attachment | upload | download | pdf | csv | spreadsheet | column | field | custom |
  template | macro | workflow | automation | trigger | schedule | recurring | shipment |
  tracking | courier | warehouse | damaged | parcel | address | postcode | vat | tax | receipt |
  quote | discount | coupon | voucher | checkout | cart | basket | stock | backorder | warranty |
  repair | replacement | serial | firmware | printer | scanner | router | wifi | bluetooth |
  battery | charger | cable | adapter | license | seat | renewal | trial | onboarding |
  training | documentation | tutorial | webinar | feature | roadmap | feedback | suggestion |
  dark | mode | language | translation | german | french | spanish | japanese | timezone |
  daylight | saving | latency | outage | degraded | incident | status | maintenance | migration |
  database | backup | restore | deleted | recover | archive | gdpr | privacy | consent |
  retention | audit | compliance | soc2 | hipaa | encryption | sandbox | staging | production |
  deploy | release | version | changelog | regression | workaround | escalate | priority | sla |
  contract | procurement | purchase | wire | transfer | iban | paypal | stripe | declined |
  fraud | chargeback | dispute | invoice-number | reconciliation | ledger | quickbooks | xero |
  salesforce | hubspot | slack | teams | zapier | shopify | magento | woocommerce | kubernetes |
  docker | terraform | graphql | pagination | cursor | ratelimit | throttled | quota |
  bandwidth | storage | gigabytes | thumbnail | avatar | logo | branding | theme | stylesheet |
  accessibility | screenreader | keyboard | shortcut | zoom | resolution | flicker | glitch
`);

export const FIRST_NAMES = list(`
  Alex | Sam | Jordan | Priya | Lena | Omar | Grace | Luis | Hana | Noah | Zoe | Ivan | Amara |
  Mateo | Yuki | Fatima | Oskar | Chloe | Ravi | Ingrid
`);

export const LAST_NAMES = list(`
  Smith | Garcia | Kim | Novak | Okafor | Dubois | Silva | Nakamura | Müller | Haddad |
  Kowalski | Andersen | Rossi | Chen | Patel
`);

export const GROUP_NAMES = list(`
  Support | Billing | Technical | Shipping | Enterprise | Onboarding | Returns | Security |
  Partners | Mobile | API | Escalations
`);

export const TAGS = list(`
  vip | bug | refund | feature_request | billing | login | sso | mobile | api | churn_risk |
  enterprise | trial | shipping | damaged | invoice | gdpr | outage | how_to | urgent |
  follow_up
`);

export const CHANNELS = list(`
  email | email | email | email | chat | web | api | phone
`);

// Search queries for the search bench: common words, rare words, two-word phrases, customer
// names, and a word that matches nothing.
export const SEARCH_QUERIES = list(`
  invoice | password reset | refund | webhook | error | login | export csv | charged twice |
  okta | chargeback dispute | firmware | glitch | two-factor | not working | shipment damaged |
  saml provisioning | kubernetes | Priya | Nakamura | zyxwvut | printer | dark mode |
  timezone daylight | subscription cancel
`);
