/**
 * The text a new route starts from: every top-level setting with its default, and the guardrail syntax as
 * commented examples (uncomment to use). Kept valid both ways by lib/routes/starter.test.ts.
 */
import { GUARD_LATENCY } from "./guards";

export const STARTER_ROUTE = `# Requests whose model is this route's name are served by these deployments.
deployments:
  - model: switchyard-demo@production
    weight: 1
strategy: weighted   # weighted | least-outstanding | lowest-latency
retries:
  attempts: 1        # tries per deployment after the first
  backoffMs: 100     # doubles per retry, with jitter
  maxBackoffMs: 2000
timeoutMs: 30000     # per attempt, to the first token
fallbacks: []        # registry models tried in order when every deployment failed
cooldown:
  failures: 3        # consecutive failures...
  seconds: 30        # ...skip the deployment this long
# Guardrails: uncomment what you need, or use "Insert guard" for one kind at a time.
# pipeline:
#   input:             # checked once on the prompt, before the model is called: a few ms
#     pii:
#       action: mask   # mask | block | flag; kinds: [EMAIL, PHONE, CARD, IBAN, SSN, NATIONAL_ID, IP, SECRET]
#     blocklist:
#       words: [internal-codename]
#       action: block  # the request is refused with a 400
#     injection:
#       action: block
#       threshold: 0.5
#   output:            # streams are held back until a window of holdbackChars is checked
#     holdbackChars: 64  # adds ~${GUARD_LATENCY.outputWindowMs} ms to the first token at 50 tokens/s; smaller is sooner but can miss long matches
#     regex:
#       - name: card-number
#         pattern: '\\b(?:\\d[ -]?){13,16}\\b'
#         action: mask
#         replacement: "[CARD]"
`;
