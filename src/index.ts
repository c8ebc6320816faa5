/**
 * @module mailstamp — stamp outgoing email with signatures, disclaimers and banners in the mail flow.
 *
 * The public core API: a pure, transport-agnostic pipeline (config → directory → rules → templates → MIME).
 * Adapters (`mailstamp/smtp`, `mailstamp/graph`) and the CLI are built on exactly these exports.
 */
export { createStamper } from "./core/stamper.js";
export type { Stamper, StamperOptions, StampOptions, Logger } from "./core/stamper.js";

export { defineConfig } from "./core/config/define-config.js";
export { parseConfig } from "./core/config/parse-config.js";
export type { ParseConfigOptions } from "./core/config/parse-config.js";
export { loadConfig, findConfigFile } from "./core/config/load-config.js";
export type { LoadConfigOptions } from "./core/config/load-config.js";
export { DEFAULTS } from "./core/config/defaults.js";
export type * from "./core/config/types.js";

export { evaluateRules } from "./core/rules/evaluate-rules.js";
export type { EvaluateRulesResult, SelectedStamp } from "./core/rules/evaluate-rules.js";

export { renderTemplate, createTemplateRenderer } from "./core/render/render-template.js";
export type {
  TemplateData,
  RenderedStamp,
  EmbeddedImage,
  TemplateRenderer,
  TemplateRendererOptions,
} from "./core/render/render-template.js";

export { injectStamp } from "./core/mime/inject-stamp.js";
export type { StampInsert, InjectOptions, InjectResult } from "./core/mime/inject-stamp.js";

export { classifyMessage } from "./core/reply/classify-message.js";
export type { ClassifyInput } from "./core/reply/classify-message.js";
export { findReplyBoundary } from "./core/reply/find-reply-boundary.js";
export type { ReplyBoundary, ReplyContentType } from "./core/reply/find-reply-boundary.js";

export { createStaticDirectory } from "./core/directory/static-directory.js";
export type { Directory, DirectoryUser } from "./core/directory/types.js";

export { MailstampError, ConfigError, TemplateError, isMailstampError } from "./core/errors.js";
export type { MailstampErrorCode, ConfigIssue } from "./core/errors.js";

export type * from "./core/types.js";
