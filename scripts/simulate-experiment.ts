/**
 * Simulated traffic for a running experiment:
 *   SWITCHYARD_URL=http://localhost:3000 SWITCHYARD_API_KEY=sy_… \
 *   npx tsx scripts/simulate-experiment.ts <experimentId> [units=10000] [metric=thumbs_up] [key=rate ...]
 * e.g. `… <id> 10000 thumbs_up control=0.10 treatment=0.13`
 */
import { simulateExperiment } from "@/server/modules/experiments/simulation/simulate";

const [experimentId, units = "10000", metric = "thumbs_up", ...rateArgs] = process.argv.slice(2);
if (!experimentId || !process.env.SWITCHYARD_API_KEY) {
  console.error(
    "usage: SWITCHYARD_API_KEY=… npx tsx scripts/simulate-experiment.ts <experimentId> [units] [metric] [key=rate …]",
  );
  process.exit(2);
}
const rates = Object.fromEntries(rateArgs.map((a) => a.split("=")).map(([k, v]) => [k, Number(v)]));
const report = await simulateExperiment({
  baseUrl: process.env.SWITCHYARD_URL ?? "http://localhost:3000",
  apiKey: process.env.SWITCHYARD_API_KEY,
  experimentId,
  units: Number(units),
  metric,
  rates: Object.keys(rates).length ? rates : { control: 0.1, treatment: 0.13 },
});
console.log(JSON.stringify(report, null, 2));
