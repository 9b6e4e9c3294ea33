import type { Page } from "playwright-core";
import type { ApiSession } from "./harness.ts";

// A shared view over one tag, so a test sees exactly the tickets it made.
export async function tagView(
  api: ApiSession,
  name: string,
  tag: string,
  extra: Record<string, unknown> = {},
) {
  return api.post<{ id: number }>("/api/v1/views", { name, shared: true, filters: { tag: [tag] }, ...extra });
}

export async function openView(page: Page, id: number) {
  await page.goto(`/views/${id}`);
  await page.getByRole("table").waitFor();
}

// The subjects of the rows on screen, top to bottom.
export async function subjects(page: Page) {
  return page.locator("tbody tr td.col-subject").allInnerTexts();
}

export const ticketList = (page: Page) => page.getByRole("table");
