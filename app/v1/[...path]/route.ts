import { processGatewayHandler } from "@/server/modules/gateway/mount";

export const dynamic = "force-dynamic";
const handle = (req: Request) => processGatewayHandler()(req);

export { handle as GET, handle as POST };
