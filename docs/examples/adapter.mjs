// A pagoconf adapter as an HTTP endpoint, in Node.js 20 (no packages): pagoconf POSTs one request,
// this answers in the 200's body. Here the adapter calls GPD itself for the position actions; a real
// one would hand each action to the institution's back office, which calls the platform.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";

async function gpd(p, method, path, body) {
  const res = await fetch(`${p.gpd}/organizations/${p.organization}/debtpositions${path}`, {
    method, body: body && JSON.stringify(body), signal: AbortSignal.timeout(20000),
    headers: { "Content-Type": "application/json", "Ocp-Apim-Subscription-Key": p.key, "X-Request-Id": randomUUID() },
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`GPD answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

const actions = {
  createPosition: async (r) => {
    const made = await gpd(r.platform, "POST", r.publish ? "?toPublish=true" : "", r.position);
    const notices = made.paymentOption.map((o) => ({ iuv: o.iuv, noticeNumber: o.nav }));
    return { iupd: made.iupd, status: made.status, notices };
  },
  publishPosition: async (r) => ({ iupd: r.iupd, status: (await gpd(r.platform, "POST", `/${r.iupd}/publish`)).status }),
  invalidatePosition: async (r) => ({ iupd: r.iupd, status: (await gpd(r.platform, "POST", `/${r.iupd}/invalidate`)).status }),
  deletePosition: async (r) => (await gpd(r.platform, "DELETE", `/${r.iupd}`), { iupd: r.iupd, status: "DELETED" }),
};

createServer(async (req, res) => {
  let text = "";
  for await (const chunk of req) text += chunk;
  const r = JSON.parse(text);
  const answer = { protocol: r.protocol, id: r.id, action: r.action };
  try {
    if (!actions[r.action]) throw new Error(`${r.action} is not in this example`);
    Object.assign(answer, { ok: true, result: await actions[r.action](r) });
  } catch (refused) {
    Object.assign(answer, { ok: false, error: String(refused.message) });
  }
  res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
}).listen(Number(process.env.PORT ?? 8091), "127.0.0.1");
