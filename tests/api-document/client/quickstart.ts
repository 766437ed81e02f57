// A client generated from the document the platform serves (openapi-typescript + openapi-fetch),
// doing what a new user does: the README's quick start, an action with webhooks, a paged list
// and a device's exchange. Type-checked with tsc --strict, then run against a live platform by
// check.sh. Every step asserts what it got; any failure exits non-zero.
import createClient from "openapi-fetch";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { components, paths } from "../generated/schema.js";

type Action = components["schemas"]["ActionResource"];

const baseUrl = process.env.EMBEVER_URL ?? "http://localhost:5000";
const organisationToken = readFileSync(process.env.EMBEVER_ORG_TOKEN_FILE ?? "data/org-token", "utf8").trim();

function check(condition: unknown, what: string): asserts condition {
    if (!condition) {
        throw new Error(`client check failed: ${what}`);
    }
    console.log(`  ok: ${what}`);
}

function must<T>(data: T | undefined, error: unknown, what: string): T {
    if (data === undefined) {
        throw new Error(`${what} failed: ${JSON.stringify(error)}`);
    }
    return data;
}

// The quick start: a token buys an access token; an application; a device in it.
const anonymous = createClient<paths>({ baseUrl });
const auth = await anonymous.POST("/v2/authenticate/", { body: { application_token: organisationToken } });
const { access, refresh } = must(auth.data, auth.error, "authenticate");
check(access.length > 0 && refresh.length > 0, "authenticate answers an access and a refresh token");
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${access}` } });

const created = await api.POST("/v2/applications/", { body: { alias: `my-fleet-${Date.now()}`, secret: "change-me" } });
const application = must(created.data, created.error, "create application");
const first = await api.POST("/v2/devices/", { body: { name: `device-1-${Date.now()}`, application: application.id } });
const device = must(first.data, first.error, "create device");
check(device.application === application.id && typeof device.password === "string", "the device is in the application and shows its password once");
const password: string = device.password ?? "";

// A refused request is a problem with a field per bad member.
const refused = await api.POST("/v2/devices/", { body: { name: "" } });
check(refused.response.status === 400 && refused.error !== undefined, "an empty name is a 400");

// An action with webhooks: its status changes are POSTed to a receiver here.
const hooks: { status: string; action: number }[] = [];
const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
        const action = JSON.parse(body) as Action;
        hooks.push({ status: request.url?.slice(1) ?? "", action: action.id });
        response.writeHead(204).end();
    });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
const posted = await api.POST("/v2/actions/", {
    body: {
        device: { id: device.id },
        type: "setSettings",
        payload: { interval: 60 },
        service_level: 1,
        webhooks: [
            { status: "action_sent", url: `${hookUrl}/action_sent` },
            { status: "action_delivered", url: `${hookUrl}/action_delivered` },
        ],
    },
});
const action = must(posted.data, posted.error, "create action");
check(action.type === "setSettings" && action.device.id === device.id, "the action is buffered for the device");

// The device wakes: it gets the action, then acknowledges it and reports an event.
const deviceAuth = { Authorization: `Basic ${Buffer.from(`${device.id}:${password}`).toString("base64")}` };
const wake = await anonymous.POST("/gateway/v1/exchange", { body: {}, headers: deviceAuth });
const answer = must(wake.data, wake.error, "exchange");
check(answer.actions.some((a) => a.id === action.id && a.type === "setSettings"), "the exchange hands the action to the device");
const report = await anonymous.POST("/gateway/v1/exchange", {
    body: { acks: [action.id], events: [{ type: "temperature", payload: { celsius: 21.5 } }] },
    headers: deviceAuth,
});
must(report.data, report.error, "exchange with an ack and an event");
const delivered = await api.GET("/v2/actions/{id}/", { params: { path: { id: String(action.id) } } });
check(must(delivered.data, delivered.error, "get action").status["action_delivered"] !== undefined, "the action is delivered");
const events = await api.GET("/v2/events/", { params: { query: { device: device.id, type: "temperature" } } });
check(must(events.data, events.error, "list events").length === 1, "the event is listed");

const deadline = Date.now() + 30_000;
while (hooks.filter((h) => h.action === action.id).length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
}
receiver.close();
check(["action_sent", "action_delivered"].every((s) => hooks.some((h) => h.status === s && h.action === action.id)), "both webhooks arrived");

// A paged list: five devices, two per page, following the Link header.
for (let i = 2; i <= 5; i++) {
    must((await api.POST("/v2/devices/", { body: { name: `device-${i}-${Date.now()}`, application: application.id } })).data, undefined, "create device");
}
const seen: string[] = [];
let page = await api.GET("/v2/devices/", { params: { query: { application: application.id, limit: 2 } } });
check(page.response.headers.get("X-Total-Count") === "5", "the list counts five devices");
for (;;) {
    seen.push(...must(page.data, page.error, "list devices").map((d) => d.id));
    const next = /<([^>]+)>; rel="next"/.exec(page.response.headers.get("Link") ?? "")?.[1];
    if (next === undefined) {
        break;
    }
    const offset = Number(new URL(next).searchParams.get("offset"));
    page = await api.GET("/v2/devices/", { params: { query: { application: application.id, limit: 2, offset } } });
}
check(seen.length === 5 && new Set(seen).size === 5, "three pages show the five devices once each");
console.log("TypeScript client: quick start, action with webhooks, paged list and exchange passed");
