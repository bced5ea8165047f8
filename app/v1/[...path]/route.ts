import { toStandardResponse } from "@/server/modules/gateway/json-response";
import { processGatewayHandler } from "@/server/modules/gateway/mount";

export const dynamic = "force-dynamic";
const handle = async (req: Request) => toStandardResponse(await processGatewayHandler()(req));

export { handle as DELETE, handle as GET, handle as POST };
