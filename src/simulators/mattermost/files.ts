/**
 * File uploads as the server takes them (`POST /api/v4/files`, `api4/file.go`): a multipart form
 * (`channel_id`, then `files`, with optional `client_ids`) or the file as the body with
 * `channel_id` and `filename` in the query; files belong to their uploader until a post of theirs
 * attaches them (`SqlFileInfoStore.AttachToPost`: only unattached files of the post's author; others
 * are dropped from the post's `file_ids` with a warning in the server log, as `attachFilesToPost` does).
 */
import { newId } from "./ids.js";
import { SimAppError, type JsonObject } from "./wire.js";

/** An uploaded file and its metadata (model.FileInfo). */
export interface SimFile {
  id: string;
  creatorId: string;
  channelId: string;
  /** "" until a post attaches it. */
  postId: string;
  createAt: number;
  updateAt: number;
  deleteAt: number;
  name: string;
  extension: string;
  size: number;
  mimeType: string;
  width: number;
  height: number;
  bytes: Buffer;
}

/** `FileSettings.MaxFileSize`'s default: 100 MB. */
export const MAX_FILE_SIZE = 100 * 1024 * 1024;
/** `maxMultipartFormDataBytes`: a form value is read up to this many bytes. */
const MAX_FORM_VALUE_BYTES = 10 * 1024;
/** `PostFileidsMaxRunes`: the JSON of a post's `file_ids` is at most this long. */
export const POST_FILE_IDS_MAX_RUNES = 300;

// What Go's mime.TypeByExtension answers for the types a bot sends (the server keeps "" for others).
const MIME_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  txt: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

const readRequest = (detail: string, status = 400): SimAppError =>
  new SimAppError(status, "api.file.upload_file.read_request.app_error", "Unable to upload file(s). Error reading or parsing request data.", detail);
const invalidParam = (name: string): SimAppError => new SimAppError(400, "api.context.invalid_body_param.app_error", `Invalid or missing ${name} in request body.`);
const invalidUrlParam = (name: string): SimAppError => new SimAppError(400, "api.context.invalid_url_param.app_error", `Invalid or missing ${name} parameter in request URL.`);

/** The size of a PNG or GIF image from its header (the server decodes images for width and height). */
function imageSize(bytes: Buffer, extension: string): { width: number; height: number } {
  if (extension === "png" && bytes.length >= 24 && bytes.toString("latin1", 1, 4) === "PNG") {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (extension === "gif" && bytes.length >= 10 && bytes.toString("latin1", 0, 3) === "GIF") {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  return { width: 0, height: 0 };
}

/** Builds the metadata of an upload (`model.GetInfoForBytes`). */
export function newSimFile(options: { creatorId: string; channelId: string; name: string; bytes: Buffer; now: number }): SimFile {
  if (options.bytes.length > MAX_FILE_SIZE) {
    throw new SimAppError(413, "api.file.upload_file.too_large_detailed.app_error", "Unable to upload file. File is too large.", `channel_id=${options.channelId}`);
  }
  const dot = options.name.lastIndexOf(".");
  const extension = dot >= 0 ? options.name.slice(dot + 1).toLowerCase() : "";
  return {
    id: newId(),
    creatorId: options.creatorId,
    channelId: options.channelId,
    postId: "",
    createAt: options.now,
    updateAt: options.now,
    deleteAt: 0,
    name: options.name,
    extension,
    size: options.bytes.length,
    mimeType: MIME_TYPES[extension] ?? "",
    ...imageSize(options.bytes, extension),
    bytes: options.bytes,
  };
}

/** A file's metadata as the API sends it (model.FileInfo JSON, in the struct's order). */
export function toWireFileInfo(file: SimFile): JsonObject {
  const isImage = file.mimeType.startsWith("image/");
  return {
    id: file.id,
    user_id: file.creatorId,
    ...(file.postId !== "" ? { post_id: file.postId } : {}),
    channel_id: file.channelId,
    create_at: file.createAt,
    update_at: file.updateAt,
    delete_at: file.deleteAt,
    name: file.name,
    extension: file.extension,
    size: file.size,
    mime_type: file.mimeType,
    ...(file.width > 0 ? { width: file.width, height: file.height } : {}),
    ...(isImage ? { has_preview_image: true } : {}),
    mini_preview: null,
    remote_id: "",
    archived: false,
  };
}

/** One part of a multipart form, in the order it came. */
export type FormPart = { name: string; value: string } | { name: string; file: { name: string; bytes: Buffer } };

/** Reads a multipart/form-data body (the boundary comes from the content type); throws the server's 400 on a malformed one. */
export async function readMultipart(contentType: string, body: Buffer): Promise<FormPart[]> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    throw readRequest(error instanceof Error ? error.message : "malformed multipart body");
  }
  const parts: FormPart[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") parts.push({ name, value: Buffer.from(value).subarray(0, MAX_FORM_VALUE_BYTES).toString("utf8") });
    else parts.push({ name, file: { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) } });
  }
  return parts;
}

/** `multipart/form-data` with a boundary: multipart; another or no type: a simple upload; multipart without boundary: 400. */
export function uploadKind(contentType: string): "multipart" | "simple" {
  const [mediaType, ...parameters] = contentType.split(";").map((part) => part.trim());
  if (mediaType?.toLowerCase() !== "multipart/form-data") return "simple";
  if (!parameters.some((parameter) => /^boundary=./i.test(parameter))) throw readRequest("no multipart boundary param in Content-Type");
  return "multipart";
}

/** What an upload needs of the server. */
export interface UploadContext {
  /** The caller. */
  userId: string;
  query: URLSearchParams;
  /** Whether the caller may upload into the channel (`upload_file`, from the channel's member role). */
  mayUpload(channelId: string): boolean;
  isValidId(id: string): boolean;
  store(file: { channelId: string; name: string; bytes: Buffer }): SimFile;
}

/** `FileUploadResponse`: `client_ids` is Go's nil slice (JSON null) after a simple upload without `client_id`. */
export interface UploadResult {
  file_infos: JsonObject[];
  client_ids: string[] | null;
}

/** A simple upload: the body is the file, `channel_id` and `filename` are in the query (`uploadFileSimple`). */
export function uploadSimple(context: UploadContext, body: Buffer): UploadResult {
  const channelId = context.query.get("channel_id") ?? "";
  if (!context.isValidId(channelId)) throw invalidUrlParam("channel_id");
  const filename = context.query.get("filename") ?? "";
  if (filename === "") throw invalidUrlParam("filename");
  if (!context.mayUpload(channelId)) throw uploadForbidden();
  const clientId = context.query.get("client_id") ?? "";
  const file = context.store({ channelId, name: filename, bytes: body });
  return { file_infos: [toWireFileInfo(file)], client_ids: clientId === "" ? null : [clientId] };
}

const uploadForbidden = (): SimAppError => new SimAppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.", "permission=upload_file");

/**
 * A multipart upload (`uploadFileMultipart`): with `channel_id` before the first file, the parts are
 * read as a stream (form values other than `channel_id` and `client_ids` are refused, every file part
 * counts whatever its name); a file before any `channel_id` falls back to the legacy reading of the
 * whole form, where only parts named `files` are files and `channel_id` may come anywhere.
 */
export function uploadMultipart(context: UploadContext, parts: readonly FormPart[]): UploadResult {
  let channelId = context.query.get("channel_id") ?? "";
  const firstFile = parts.findIndex((part) => "file" in part);
  const channelIdAt = parts.findIndex((part) => "value" in part && part.name === "channel_id");
  if (channelId === "" && firstFile >= 0 && (channelIdAt < 0 || channelIdAt > firstFile)) return uploadLegacy(context, parts);

  let expectClientIds = true;
  const clientIds: string[] = [];
  const result: UploadResult = { file_infos: [], client_ids: [] };
  let files = 0;
  for (const part of parts) {
    if (part.name === "") continue;
    if ("value" in part) {
      if (part.name === "channel_id") {
        if (channelId !== "" && channelId !== part.value) {
          throw new SimAppError(400, "api.file.upload_file.multiple_channel_ids.app_error", "Unable to upload file(s). Multiple conflicting channel_ids.");
        }
        if (part.value !== "") channelId = part.value;
      } else if (part.name === "client_ids") {
        if (!expectClientIds) throw invalidParam("client_ids");
        clientIds.push(part.value);
      } else {
        throw invalidParam(part.name);
      }
      continue;
    }
    if (!context.isValidId(channelId)) throw invalidUrlParam("channel_id");
    if (!context.mayUpload(channelId)) throw uploadForbidden();
    if (files === 0 && clientIds.length === 0) expectClientIds = false;
    let clientId = "";
    if (expectClientIds) {
      if (files >= clientIds.length) throw invalidParam("client_ids");
      clientId = clientIds[files]!;
    }
    const file = context.store({ channelId, name: part.file.name, bytes: part.file.bytes });
    result.file_infos.push(toWireFileInfo(file));
    if (expectClientIds) result.client_ids!.push(clientId);
    files++;
  }
  if (expectClientIds && clientIds.length !== files) throw incorrectClientIds(clientIds.length, files);
  return result;
}

const incorrectClientIds = (ids: number, files: number): SimAppError =>
  new SimAppError(400, "api.file.upload_file.incorrect_number_of_client_ids.app_error", `Unable to upload file(s). Have ${ids} client_ids for ${files} files.`);

function uploadLegacy(context: UploadContext, parts: readonly FormPart[]): UploadResult {
  const channelId = parts.find((part): part is { name: string; value: string } => "value" in part && part.name === "channel_id")?.value;
  if (channelId === undefined) throw invalidParam("channel_id");
  if (!context.isValidId(channelId)) throw invalidUrlParam("channel_id");
  if (!context.mayUpload(channelId)) throw uploadForbidden();
  const clientIds = parts.flatMap((part) => ("value" in part && part.name === "client_ids" ? [part.value] : []));
  const files = parts.flatMap((part) => ("file" in part && part.name === "files" ? [part.file] : []));
  if (clientIds.length !== 0 && clientIds.length !== files.length) throw incorrectClientIds(clientIds.length, files.length);
  const result: UploadResult = { file_infos: [], client_ids: [] };
  files.forEach((upload, index) => {
    result.file_infos.push(toWireFileInfo(context.store({ channelId, name: upload.name, bytes: upload.bytes })));
    if (clientIds[index] !== undefined) result.client_ids!.push(clientIds[index]);
  });
  return result;
}
