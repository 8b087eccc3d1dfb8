/**
 * The Matrix chat platform on matrix-bot-sdk 0.7.1: the Matrix transport (matrix-transport.ts) and
 * the inbound side (inbound.ts) with the chat kernel on top. Commands are typed as `!support ...`
 * in the configured rooms and in DMs; forms run as guided conversations in the DM; the sync
 * position is in the store, so a restart does not replay history. Encryption is off: the bot
 * cannot read encrypted rooms and says so once per room.
 */
import { MatrixClient, MatrixError } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { ConfigError, UpstreamUnavailableError } from "../../errors.js";
import type { HttpServer } from "../../http/http-server.js";
import type { StaffDirectory } from "../../identity.js";
import type { Metrics } from "../../metrics.js";
import type { AdapterStartOptions, ChatAdapter } from "../kernel/chat-adapter.js";
import type { ChatMemory } from "../kernel/chat-memory.js";
import type { ChatSettings } from "../kernel/settings.js";
import { ChatKernel, type CommandCore } from "../kernel/chat-kernel.js";
import type { Schedule } from "../kernel/guided-forms.js";
import type { Notifier } from "../notifier.js";
import { DirectRooms } from "./direct-rooms.js";
import { MatrixInbound } from "./inbound.js";
import { MatrixTransport } from "./matrix-transport.js";
import { DEFAULT_RETRY, withRateLimitRetry, type RetryPolicy } from "./rate-limit.js";
import { ConfiguredRooms } from "./rooms.js";
import { routeSdkLogs } from "./sdk-logs.js";
import type { MatrixSettings } from "./settings.js";
import { StoreStorageProvider, type MatrixValues } from "./store-storage-provider.js";
import { abortSyncRequests, trackSyncRequests } from "./sync-requests.js";

/** What the adapter needs; built once at start-up by the live runner. */
export interface MatrixAdapterOptions {
  settings: MatrixSettings;
  /** What every platform does alike (the note word of bug threads); the defaults when left out. */
  chatSettings?: ChatSettings;
  /** The bot core every command line goes to (its registry also holds the forms). */
  core: CommandCore;
  staff: StaffDirectory;
  /** The kernel's memory and the SDK's values, kept in the store. */
  chat: ChatMemory & MatrixValues;
  logger: Logger;
  /** Wall clock in ms, to tell events sent before the start from new ones; default Date.now. */
  clock?: () => number;
  /** Overrides of the rate-limit retry policy. */
  retry?: Partial<Omit<RetryPolicy, "log" | "signal">>;
  /** Runs the guided forms' timeouts; tests fire them by hand. */
  schedule?: Schedule;
  /** Counts the messages the kernel sends; default: nothing counted. */
  metrics?: Metrics;
  /** The bot's HTTP server, where `/healthz` then reports this adapter (Matrix needs no routes). */
  http?: { server: HttpServer };
}

/** Creates the Matrix adapter; nothing connects until `start()`. */
export function createMatrixAdapter(options: MatrixAdapterOptions): ChatAdapter {
  return new MatrixAdapter(options);
}

class MatrixAdapter implements ChatAdapter {
  readonly platform = "matrix" as const;
  readonly notifier: Notifier;

  private readonly settings: MatrixSettings;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly storage: StoreStorageProvider;
  private readonly client: MatrixClient;
  private readonly directRooms: DirectRooms;
  private readonly rooms: ConfiguredRooms;
  private readonly kernel: ChatKernel;
  private readonly inbound: MatrixInbound;
  private readonly abort = new AbortController();
  private readonly retryPolicy: RetryPolicy;
  private startedAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private running = false;
  private syncing = false;
  /** How far back a message counts as new when syncing starts (AdapterStartOptions.catchUpMs). */
  private catchUpMs = 0;
  /** Resolves once a stopped sync loop has ended. */
  private syncEnded: Promise<void> = Promise.resolve();

  constructor(private readonly options: MatrixAdapterOptions) {
    this.settings = options.settings;
    this.log = options.logger.child({ platform: "matrix" });
    this.clock = options.clock ?? Date.now;
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry, log: this.log, signal: this.abort.signal };
    const { chat } = options;
    this.storage = new StoreStorageProvider(chat);
    this.client = new MatrixClient(this.settings.homeserverUrl, this.settings.accessToken, this.storage);
    this.disableSdkDirectTracking();
    this.persistSyncPositionAfterEvents();
    const retry = <T>(what: string, action: () => Promise<T>) => this.retry(what, action);
    this.directRooms = new DirectRooms(this.client, retry, this.log);
    this.rooms = new ConfiguredRooms({ client: this.client, rooms: this.settings.rooms, directRooms: this.directRooms, retry, log: this.log });
    const transport = new MatrixTransport({
      client: this.client,
      directRooms: this.directRooms,
      rooms: this.rooms,
      commandPrefix: this.settings.commandPrefix,
      retry,
      log: this.log,
      runId: () => this.startedAt.toString(36),
    });
    this.kernel = new ChatKernel({
      transport,
      core: options.core,
      staff: options.staff,
      chat,
      logger: this.log,
      clock: this.clock,
      ...(options.chatSettings ? { noteWord: options.chatSettings.noteWord } : {}),
      formTimeoutMs: this.settings.conversationTimeoutMs,
      ...(options.schedule ? { schedule: options.schedule } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.inbound = new MatrixInbound({
      client: this.client,
      kernel: this.kernel,
      transport,
      staff: options.staff,
      directRooms: this.directRooms,
      rooms: this.rooms,
      commandPrefix: this.settings.commandPrefix,
      allowedInviters: this.settings.allowedInviters,
      retry,
      clock: this.clock,
      log: this.log,
    });
    this.notifier = this.kernel.notifier;
  }

  async start(options: AdapterStartOptions = {}): Promise<void> {
    this.catchUpMs = options.catchUpMs ?? 0;
    routeSdkLogs(this.log);
    trackSyncRequests();
    let botUserId: string;
    try {
      botUserId = await this.client.getUserId();
    } catch (error) {
      if (error instanceof MatrixError && (error.statusCode === 401 || error.errcode === "M_UNKNOWN_TOKEN" || error.errcode === "M_MISSING_TOKEN")) {
        throw new ConfigError(["MATRIX_ACCESS_TOKEN: the homeserver refused it (log the bot in again and use the new token; see docs/matrix.md)"]);
      }
      throw new UpstreamUnavailableError("The Matrix homeserver could not be reached.", {
        cause: error,
        hint: "Check MATRIX_HOMESERVER_URL (the client-server API base URL, e.g. https://matrix.example.org) and that the homeserver is up.",
      });
    }
    this.storage.bindUser(botUserId);
    await this.directRooms.load();
    await this.rooms.join();
    this.inbound.subscribe(botUserId);
    this.running = true;
    if (options.listen ?? true) await this.listen();
    this.options.http?.server.addHealthCheck("matrix", () => this.health());
    this.log.info({ userId: botUserId, rooms: Object.keys(this.settings.rooms) }, "Matrix adapter started");
  }

  /** Syncs: rooms' messages and invites reach the kernel (on the leader only, with replicas). */
  async listen(): Promise<void> {
    if (!this.running || this.stopped || this.syncing) return;
    this.syncing = true;
    // A sync loop stopped a moment ago ends at its next check; it must not run beside the new one.
    await this.syncEnded;
    // As late as possible before the first sync: everything sent earlier counts as history, except
    // (for a replica taking over) what was sent while no replica synced.
    this.startedAt = this.clock();
    this.inbound.open(this.startedAt - this.catchUpMs);
    this.storage.thaw();
    await this.client.start();
  }

  /** Stops syncing; sending goes on (the outbox may deliver on any replica). */
  async stopListening(): Promise<void> {
    if (!this.syncing) return;
    this.syncing = false;
    this.inbound.close();
    // Whatever a last sync brings is left for the next leader (the storage keeps the old position).
    this.storage.freeze();
    this.client.stop();
    abortSyncRequests(this.settings.accessToken);
    // The SDK's loop sees its stop flag once its aborted request has failed: give it that turn.
    this.syncEnded = new Promise((resolve) => setTimeout(resolve, 50));
    await this.kernel.idle();
  }

  /** Running between a finished start and the stop; the SDK retries a failed sync by itself. */
  health(): { ok: boolean; detail: string } {
    if (this.running && !this.stopped) return { ok: true, detail: this.syncing ? "syncing" : "connected; the leader replica syncs" };
    return { ok: false, detail: this.stopped ? "adapter stopped" : "adapter not started" };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.inbound.close();
    // Whatever a last sync brings is left for the next start (the storage keeps the old position),
    // which ignores it by age.
    this.storage.freeze();
    this.client.stop();
    abortSyncRequests(this.settings.accessToken);
    await this.kernel.stop();
    this.abort.abort();
    this.log.info("Matrix adapter stopped");
  }

  private retry<T>(what: string, action: () => Promise<T>): Promise<T> {
    return withRateLimitRetry(what, action, this.retryPolicy);
  }

  /**
   * The SDK stores the next sync position before it hands the sync's events out, so a process killed
   * in between (a leader's SIGKILL, a crash) would leave them to nobody: the next leader would sync
   * from after them. Stored after, a killed leader's last sync is read again by the next, whose
   * kernel skips what was already claimed. The setting is protected in the SDK's types.
   */
  private persistSyncPositionAfterEvents(): void {
    (this.client as unknown as { persistTokenAfterSync: boolean }).persistTokenAfterSync = true;
  }

  /**
   * The SDK records every `is_direct` invite in `m.direct` from a cached copy, also invites the
   * bot refuses, and may overwrite a newer `m.direct`. DirectRooms does this itself (read, merge,
   * write; accepted invites only), so the SDK's handler is switched off.
   */
  private disableSdkDirectTracking(): void {
    const dms = this.client.dms as unknown as { handleInvite: (roomId: string, event: unknown) => Promise<void> };
    dms.handleInvite = async () => undefined;
  }
}
