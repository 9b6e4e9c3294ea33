import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client.ts";

// The system mails' texts (server/email/template-routes.ts, docs/email.md).
export interface EmailTemplate {
  key: string;
  subject: string;
  bodyText: string;
  custom: boolean;
  updatedAt: string | null;
  placeholders: string[];
}

export interface TemplateText {
  subject: string;
  bodyText: string;
}

export interface TemplatePreview {
  subject: string;
  text: string;
  html: string;
}

export const emailTemplateKeys = {
  list: () => ["email-templates"] as const,
};

export const emailTemplatesQuery = () =>
  queryOptions({
    queryKey: emailTemplateKeys.list(),
    queryFn: async () => (await api<{ data: EmailTemplate[] }>("/api/v1/email-templates")).data,
  });

const path = (key: string) => `/api/v1/email-templates/${encodeURIComponent(key)}`;

function useTemplateWrite<V>(request: (key: string, value: V) => Promise<EmailTemplate>, key: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (value: V) => request(key, value),
    onSuccess: (saved) =>
      queryClient.setQueryData(emailTemplateKeys.list(), (list: EmailTemplate[] | undefined) =>
        list?.map((t) => (t.key === saved.key ? saved : t)),
      ),
  });
}

export const useSaveTemplate = (key: string) =>
  useTemplateWrite<TemplateText>(
    (k, body) => api<EmailTemplate>(path(k), { method: "PUT", body: { ...body } }),
    key,
  );

// DELETE puts the default back and answers with it.
export const useResetTemplate = (key: string) =>
  useTemplateWrite<void>((k) => api<EmailTemplate>(path(k), { method: "DELETE" }), key);

export const usePreviewTemplate = (key: string) =>
  useMutation({
    mutationFn: (body: TemplateText) =>
      api<TemplatePreview>(`${path(key)}/preview`, { method: "POST", body: { ...body } }),
  });
