import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SettingsPage } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SettingsPage />
  </StrictMode>,
);
