import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requireCan } from "../auth/permissions.ts";
import { readablePattern } from "../http/pattern-messages.ts";
import { previewTemplate } from "./template-preview.ts";
import {
  loadTemplate,
  PLACEHOLDERS,
  presentTemplate,
  resetTemplate,
  saveTemplate,
  TEMPLATE_KEYS,
  templateByKey,
} from "./templates.ts";

// An unknown key is a 404 rather than a schema error: it names a resource that does not exist.
const Params = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) });

const TemplateView = Type.Object({
  key: Type.Enum([...TEMPLATE_KEYS]),
  subject: Type.String(),
  bodyText: Type.String(),
  // False while the default in code applies.
  custom: Type.Boolean(),
  updatedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  placeholders: Type.Array(Type.Enum([...PLACEHOLDERS])),
});

const TemplateUpdate = Type.Object(
  {
    subject: Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: readablePattern("^[^\\r\\n]*$", "must be one line"),
    }),
    bodyText: Type.String({ minLength: 1, maxLength: 100_000 }),
  },
  { additionalProperties: false },
);

const TemplatePreview = Type.Object({
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
});

// The system mails Parley sends (ticket received, agent replied, ticket solved); admins edit their
// text, and DELETE puts the default back.
export const emailTemplateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = { scope: "admin" as const };

  app.get(
    "/api/v1/email-templates",
    {
      config: admin,
      schema: { tags: ["email"], response: { 200: Type.Object({ data: Type.Array(TemplateView) }) } },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      const templates = await Promise.all(
        TEMPLATE_KEYS.map((key) => loadTemplate(app.db, req.actor.workspaceId, key)),
      );
      return { data: templates.map(presentTemplate) };
    },
  );

  app.get(
    "/api/v1/email-templates/:key",
    { config: admin, schema: { tags: ["email"], params: Params, response: { 200: TemplateView } } },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      return presentTemplate(await templateByKey(app.db, req.actor.workspaceId, req.params.key));
    },
  );

  app.put(
    "/api/v1/email-templates/:key",
    {
      config: admin,
      schema: { tags: ["email"], params: Params, body: TemplateUpdate, response: { 200: TemplateView } },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      return presentTemplate(await saveTemplate(app.db, req.actor.workspaceId, req.params.key, req.body));
    },
  );

  // The mail the edited text would give for a sample ticket, before it is saved (the admin page's
  // Preview). Refuses what PUT would.
  app.post(
    "/api/v1/email-templates/:key/preview",
    {
      config: admin,
      schema: { tags: ["email"], params: Params, body: TemplateUpdate, response: { 200: TemplatePreview } },
    },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      const workspace = await app.db
        .selectFrom("workspaces")
        .select("name")
        .where("id", "=", req.actor.workspaceId)
        .executeTakeFirst();
      return previewTemplate(req.params.key, req.body, {
        publicUrl: app.config.publicUrl,
        workspaceName: workspace?.name ?? "",
      });
    },
  );

  app.delete(
    "/api/v1/email-templates/:key",
    { config: admin, schema: { tags: ["email"], params: Params, response: { 200: TemplateView } } },
    async (req) => {
      requireCan(req.actor, "workspace.admin");
      return presentTemplate(await resetTemplate(app.db, req.actor.workspaceId, req.params.key));
    },
  );
};
