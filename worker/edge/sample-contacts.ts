/** What `/api/contacts` answers in local dev, so the help article's curl works out of the box. */
export const SAMPLE_CONTACTS = [
  { id: "c_1001", name: "Ada Lovelace", email: "ada@example.com", company: "Analytical Engines Ltd" },
  { id: "c_1002", name: "Grace Hopper", email: "grace@example.com", company: "COBOL & Co" },
  { id: "c_1003", name: "Katherine Johnson", email: "katherine@example.com", company: "Orbital Mechanics Inc" },
];
