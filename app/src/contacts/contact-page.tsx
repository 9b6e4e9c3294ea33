import { useParams } from "@tanstack/react-router";

// Placeholder so the route resolves; the page itself lands in the next commit.
export function ContactPage() {
  const { contactId } = useParams({ from: "/signed-in/contacts/$contactId" });
  return <h1>Contact {contactId}</h1>;
}
