// Read by `cem analyze` (component/build.mjs). The analyzer guesses events from every
// `this.dispatchEvent(new SomeEvent(value))`, naming them after the constructor's first argument
// ("key", "updated"…): the manifest keeps only the events the class's JSDoc declares with @fires.
export default {
  plugins: [
    {
      name: "declared-events-only",
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name && event.description);
          }
        }
      },
    },
  ],
};
