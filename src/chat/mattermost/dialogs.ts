/**
 * Commands' forms as Mattermost interactive dialogs: `/support call` without arguments opens the
 * call form, `/support draft` without a text the draft form (the forms are declared in the
 * commands' definitions). Submissions are checked and turned into command lines by the kernel's
 * forms (src/chat/kernel/forms.ts), exactly as a typed line would be. Pure: no I/O.
 */
import type { FormField } from "../../framework/command.js";
import type { FormRequest } from "../kernel/forms.js";

/** One dialog element (model.DialogElement); lengths as Mattermost checks them (24 bytes for labels). */
export interface DialogElement {
  display_name: string;
  name: string;
  type: "text" | "textarea" | "select" | "radio" | "bool";
  subtype?: "text" | "email" | "number" | "tel";
  optional?: boolean;
  default?: string;
  placeholder?: string;
  help_text?: string;
  min_length?: number;
  max_length?: number;
  options?: Array<{ text: string; value: string }>;
}

/**
 * The longest text the 10.x/11 web app takes in a dialog's text field and text area: it shows
 * dialogs as an apps form (interactive_dialog_adapter.tsx) whose fields stop there
 * (TEXT_DEFAULT_MAX_LENGTH, TEXTAREA_DEFAULT_MAX_LENGTH in apps_form_field) and warns about more.
 */
const WEB_APP_TEXT_MAX = 150;
const WEB_APP_TEXTAREA_MAX = 3_000;

/** A form field as a dialog element, within what the web app takes. */
function dialogElement(field: FormField, prefill: Readonly<Record<string, string>>): DialogElement {
  const value = prefill[field.name] ?? field.default;
  const common = {
    display_name: field.label,
    name: field.name,
    ...(field.optional ? { optional: true } : {}),
    ...(value !== undefined ? { default: value } : {}),
    ...(field.placeholder !== undefined ? { placeholder: field.placeholder } : {}),
    ...(field.help !== undefined ? { help_text: field.help } : {}),
  };
  switch (field.kind) {
    case "text":
      return { ...common, type: "text", subtype: field.input ?? "text", max_length: Math.min(field.maxLength ?? WEB_APP_TEXT_MAX, WEB_APP_TEXT_MAX) };
    case "textarea":
      return { ...common, type: "textarea", max_length: Math.min(field.maxLength ?? WEB_APP_TEXTAREA_MAX, WEB_APP_TEXTAREA_MAX) };
    case "choice":
      return { ...common, type: field.showAllChoices ? "radio" : "select", options: (field.choices ?? []).map((choice) => ({ text: choice.label, value: choice.value })) };
    case "flag":
      return { ...common, type: "bool", default: value ?? "false" };
  }
}

/** The dialog definition to open (model.Dialog), with the signed state; the callback id is the command. */
export function buildDialog(request: FormRequest, state: string): Record<string, unknown> {
  const { form } = request;
  return {
    callback_id: request.command.name,
    title: form.title,
    introduction_text: form.introduction,
    elements: form.fields.map((field) => dialogElement(field, request.prefill)),
    submit_label: form.submitLabel,
    notify_on_cancel: false,
    state,
  };
}
