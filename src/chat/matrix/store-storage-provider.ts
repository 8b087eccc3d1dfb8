/**
 * matrix-bot-sdk's storage (sync token, filter, small values) kept in the bot's SQLite store, so a
 * restart continues the sync where it stopped instead of replaying history.
 */
import type { IFilterInfo, IStorageProvider } from "matrix-bot-sdk";
import { z } from "zod";

/** Where the SDK's values are kept, namespaced by the bot's user id (the store implements it). */
export interface MatrixValues {
  matrixValue(userId: string, key: string): Promise<string | undefined>;
  /** Sets a value, or deletes it with undefined. */
  setMatrixValue(userId: string, key: string, value: string | undefined): Promise<void>;
}

const filterSchema = z.object({ id: z.union([z.number(), z.string()]), filter: z.unknown() });

/**
 * An IStorageProvider over the store. Values are namespaced by the bot's user id (bound before the
 * client starts), so a token of another account is never reused. After `freeze()` it keeps what it
 * has: a stopped adapter's last in-flight sync must not move the position past events nobody handled.
 */
export class StoreStorageProvider implements IStorageProvider {
  private userId: string | undefined;
  private frozen = false;

  constructor(private readonly chat: MatrixValues) {}

  /** Namespaces every value by the bot's user id; call before `client.start()`. */
  bindUser(userId: string): void {
    this.userId = userId;
  }

  /** Ignores writes from now on (the adapter stopped syncing). */
  freeze(): void {
    this.frozen = true;
  }

  /** Writes again (this adapter syncs again, e.g. its replica became the leader). */
  thaw(): void {
    this.frozen = false;
  }

  async setSyncToken(token: string | null): Promise<void> {
    await this.write("sync_token", token ?? undefined);
  }

  async getSyncToken(): Promise<string | null> {
    return (await this.read("sync_token")) ?? null;
  }

  async setFilter(filter: IFilterInfo): Promise<void> {
    await this.write("filter", JSON.stringify(filter));
  }

  async getFilter(): Promise<IFilterInfo> {
    const raw = await this.read("filter");
    const parsed = raw === undefined ? undefined : filterSchema.safeParse(JSON.parse(raw));
    // The SDK treats a missing filter as "none stored"; its type does not say so.
    return (parsed?.success ? parsed.data : null) as IFilterInfo;
  }

  async storeValue(key: string, value: string): Promise<void> {
    await this.write(`value.${key}`, value);
  }

  async readValue(key: string): Promise<string | null> {
    return (await this.read(`value.${key}`)) ?? null;
  }

  private read(key: string): Promise<string | undefined> {
    return this.chat.matrixValue(this.requireUser(), key);
  }

  private async write(key: string, value: string | undefined): Promise<void> {
    if (this.frozen) return;
    await this.chat.setMatrixValue(this.requireUser(), key, value);
  }

  private requireUser(): string {
    if (this.userId === undefined) throw new Error("StoreStorageProvider: bindUser() must be called before the client starts");
    return this.userId;
  }
}
