import { createApp } from "vue";
import SettingsPage from "./SettingsPage.vue";

createApp(SettingsPage).mount("#app");
