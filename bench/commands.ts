/**
 * The command path, measured from outside as Mattermost sees it: slash-command requests to the
 * built bot's `/mattermost/command` endpoint (form-encoded, with the command token), the bot in
 * its own process, MantisBT and Mattermost simulated in another. One repetition gives one value of
 * each figure; bench/run.ts runs a warm-up and then at least five.
 */
import type { BotProcess } from "./bot-process.js";
import { COMMAND_TOKEN } from "./bot-process.js";
import type { Simulators } from "./children.js";
import { percentile, runLoad, type LoadRequest } from "./http-load.js";

const COMMAND_PATH = "/mattermost/command";
const USERS = ["alice", "bob", "carol", "manager"] as const;

/** One repetition's figures of the command path. */
export interface HelpFigures {
  /** p50 of `/support help` at 10 concurrent clients, the bot and the bare server, ms. */
  botP50Ms: number;
  bareP50Ms: number;
}

export interface GrabFigures {
  /** Per grab: the client's latency, MantisBT's serving time of its requests, their number, Mattermost's serving time. */
  latencyMs: number[];
  trackerMs: number[];
  requests: number[];
  chatMs: number[];
}

export interface MixFigures {
  perSecond: number;
  answered: number;
  errors: string[];
  p50ByKind: Record<string, number>;
}

/** A fake hook id of the form Mattermost gives (26 characters): used only if an answer came late. */
const HOOK = "benchhook00000000000000000";

/** `/support <text>` typed by `user` in ~support, as Mattermost sends it to the bot. */
export function slashRequest(sim: Simulators, user: string, text: string, check?: (reply: string) => boolean, kind?: string): LoadRequest {
  const info = sim.info;
  const body = new URLSearchParams({
    token: COMMAND_TOKEN,
    team_id: info.teamId,
    team_domain: "taler",
    channel_id: info.channelIds["support"]!,
    channel_name: "support",
    user_id: info.userIds[user]!,
    user_name: user,
    command: "/support",
    text,
    response_url: `${info.mattermostUrl}/hooks/commands/${HOOK}`,
    root_id: "",
  }).toString();
  return {
    path: COMMAND_PATH,
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", Authorization: `Token ${COMMAND_TOKEN}`, "User-Agent": "Mattermost-Bot/1.1" },
    // An answer that comes "later" (after ~2 s, through response_url) is a failure here.
    check: (raw) => {
      const text = (JSON.parse(raw) as { text?: string }).text ?? "";
      return !text.startsWith("Working on") && (check?.(text) ?? true);
    },
    ...(kind ? { kind } : {}),
  };
}

const isHelp = (text: string) => text.includes("/support show <bug>");
const isShow = (id: number) => (text: string) => text.includes(`#${id}`) && text.includes("Status:");
const isGrab = (id: number) => (text: string) => text.includes("You now handle") && text.includes(`#${id}`);

/** The size in bytes of the bot's answer to `/support help`, for the bare server's body. */
export async function helpAnswerBytes(bot: BotProcess, sim: Simulators): Promise<number> {
  const request = slashRequest(sim, "alice", "help");
  const response = await fetch(`${bot.url}${request.path}`, { method: "POST", headers: request.headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200 || !request.check!(text)) throw new Error(`help did not answer as expected: ${response.status} ${text.slice(0, 300)}`);
  return Buffer.byteLength(text);
}

/** `count` help requests at `concurrency` against a server (the bot or the bare one): their latencies. */
async function helpLatencies(url: string, sim: Simulators, concurrency: number, count: number, checked: boolean): Promise<number[]> {
  const request = slashRequest(sim, "alice", "help", isHelp);
  const plain = checked ? request : { ...request, check: undefined };
  const result = await runLoad({ url, concurrency, next: (index) => (index < count ? plain : undefined) });
  if (result.errors.length > 0) throw new Error(`help failed ${result.errors.length} times, e.g. ${result.errors[0]}`);
  return result.latencies;
}

/**
 * help_p50_ratio's two p50s with the same client: the bare server and the bot in turn, in blocks of
 * 250 requests, so that both see the same moments of a shared machine.
 */
export async function measureHelp(bot: BotProcess, bareUrl: string, sim: Simulators, count: number): Promise<HelpFigures> {
  const bare: number[] = [];
  const ofBot: number[] = [];
  const block = 250;
  for (let done = 0; done < count; done += block) {
    bare.push(...(await helpLatencies(bareUrl, sim, 10, block, false)));
    ofBot.push(...(await helpLatencies(bot.url, sim, 10, block, true)));
  }
  return { bareP50Ms: percentile(bare, 50), botP50Ms: percentile(ofBot, 50) };
}

/** help_p99_ms: p99 of help at 50 concurrent clients. */
export async function measureHelpP99(bot: BotProcess, sim: Simulators, count: number): Promise<number> {
  return percentile(await helpLatencies(bot.url, sim, 50, count, true), 99);
}

/**
 * Grabs one after another (nothing else running), each of a NEW bug: the latency the client sees,
 * the MantisBT requests made between sending it and its answer with the simulator's time for them,
 * and Mattermost's time for what the bot asked of it meanwhile (the note to management).
 */
export async function measureGrabs(bot: BotProcess, sim: Simulators, count: number): Promise<GrabFigures> {
  const ids = await sim.addNewBugs(count);
  const figures: GrabFigures = { latencyMs: [], trackerMs: [], requests: [], chatMs: [] };
  let cursor = (await sim.served(0)).next;
  for (const [index, id] of ids.entries()) {
    const request = slashRequest(sim, USERS[index % 3]!, `grab ${id}`, isGrab(id), "grab");
    const result = await runLoad({ url: bot.url, concurrency: 1, next: (n) => (n === 0 ? request : undefined) });
    if (result.errors.length > 0) throw new Error(`grab ${id} failed: ${result.errors[0]}`);
    const served = await sim.served(cursor);
    cursor = served.next;
    figures.latencyMs.push(result.latencies[0]!);
    const tracker = served.requests.filter((one) => one.server === "mantis");
    figures.trackerMs.push(tracker.reduce((sum, one) => sum + one.ms, 0));
    figures.requests.push(tracker.length);
    figures.chatMs.push(served.requests.filter((one) => one.server === "mattermost").reduce((sum, one) => sum + one.ms, 0));
  }
  return figures;
}

/**
 * commands_per_s: help, show and grab in turn from 50 clients for `durationMs`; every answer must
 * be the right one. Each grab takes a NEW bug of its own.
 */
export async function measureMix(bot: BotProcess, sim: Simulators, options: { durationMs: number; grabbable: number; showIds: readonly number[] }): Promise<MixFigures> {
  const pool = await sim.addNewBugs(options.grabbable);
  let grabbed = 0;
  const result = await runLoad({
    url: bot.url,
    concurrency: 50,
    durationMs: options.durationMs,
    next: (index) => {
      const user = USERS[index % USERS.length]!;
      switch (index % 3) {
        case 0:
          return slashRequest(sim, user, "help", isHelp, "help");
        case 1: {
          const id = options.showIds[index % options.showIds.length]!;
          return slashRequest(sim, user, `show ${id}`, isShow(id), "show");
        }
        default: {
          const id = pool[grabbed++];
          if (id === undefined) throw new Error(`more than ${pool.length} grabs: give the mix more NEW bugs`);
          return slashRequest(sim, user, `grab ${id}`, isGrab(id), "grab");
        }
      }
    },
  });
  const answered = result.latencies.length;
  return {
    perSecond: answered / (result.elapsedMs / 1000),
    answered,
    errors: result.errors,
    p50ByKind: Object.fromEntries([...result.byKind].map(([kind, values]) => [kind, percentile(values, 50)])),
  };
}
