// The demo host page: signs one of three demo users in through POST /dev/session (local dev
// only) and hands the token to <api-keys-settings>, as a real host would from its auth provider.
import { DEMO_USERS as USERS } from "./demo-users.js";

const element = document.querySelector("api-keys-settings");
const userSelect = document.getElementById("demo-user");
const themeSelect = document.getElementById("demo-theme");
const localeSelect = document.getElementById("demo-locale");

async function signIn(who) {
  const response = await fetch("/dev/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(USERS[who]),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return (await response.json()).token;
}

async function useUser(who) {
  sessionStorage.setItem("demo-user", who);
  // getToken is asked again after a 401, so an expired demo token renews itself.
  element.getToken = () => signIn(who);
  element.token = await signIn(who);
}

function applyTheme(theme) {
  element.theme = theme;
  document.documentElement.dataset.theme = theme;
  sessionStorage.setItem("demo-theme", theme);
}

function applyLocale(locale) {
  element.locale = locale;
  document.documentElement.lang = locale;
  sessionStorage.setItem("demo-locale", locale);
}

userSelect.value = sessionStorage.getItem("demo-user") ?? "admin";
themeSelect.value = sessionStorage.getItem("demo-theme") ?? "light";
localeSelect.value = sessionStorage.getItem("demo-locale") ?? "en";
applyTheme(themeSelect.value);
applyLocale(localeSelect.value);
userSelect.addEventListener("change", () => useUser(userSelect.value));
themeSelect.addEventListener("change", () => applyTheme(themeSelect.value));
localeSelect.addEventListener("change", () => applyLocale(localeSelect.value));

const curl = `curl -H "X-API-Key: ak_live_…" ${location.origin}/api/contacts`;
document.getElementById("curl-example").textContent = curl;
document.getElementById("copy-curl").addEventListener("click", () => navigator.clipboard.writeText(curl));

await useUser(userSelect.value);
