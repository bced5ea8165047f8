import { toStandardResponse } from "@/server/modules/gateway/json-response";
import { processGatewayHandler } from "@/server/modules/gateway/mount";
import { installV1Extensions } from "@/server/v1-extensions";

export const dynamic = "force-dynamic";
installV1Extensions();
const handle = async (req: Request) => toStandardResponse(await processGatewayHandler()(req));

export { handle as DELETE, handle as GET, handle as POST };
