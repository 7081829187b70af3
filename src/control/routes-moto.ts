/**
 * moto's server mode resets its state with `POST /moto-api/reset` (answer 200 `{"status": "ok"}`;
 * any other method 400 `{"Error": "Need to POST to reset Moto"}`). orgsim answers the same route
 * the same way, with the same effect as POST /_orgsim/reset, so a suite written for moto points at
 * orgsim by its endpoint alone. It is a control route: the server sends it through the control
 * API's gate (off with --no-control-api, refused from a foreign Origin) like every /_orgsim/ route.
 */
import { json, type ControlResponse, type RouteEntry } from "./http.js";

const needPost = async (): Promise<ControlResponse> => json(400, { Error: "Need to POST to reset Moto" });

export const motoRoutes: RouteEntry[] = [
  [
    "POST",
    /^\/moto-api\/reset$/,
    async (app) => {
      await app.reset();
      return json(200, { status: "ok" });
    },
  ],
  ["GET", /^\/moto-api\/reset$/, needPost],
  ["PUT", /^\/moto-api\/reset$/, needPost],
  ["DELETE", /^\/moto-api\/reset$/, needPost],
  ["PATCH", /^\/moto-api\/reset$/, needPost],
];
