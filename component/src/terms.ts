/**
 * Every string the element shows, per language. English is keyed; every other language lists its
 * sentences in the order of English's keys, each line naming its key in a comment (keys repeated
 * per language would cost the bundle ~0.5 KB min+gzip). test/component/i18n.test.ts fails when a
 * language lacks a sentence, has one too many, or its placeholders differ from English's.
 * Add a language by copying one of these arrays and adding it to `SENTENCES`.
 *
 * Placeholders are filled by {@link translator}: `{name}` as given, numbers through
 * `Intl.NumberFormat`, and `{n, plural, one {# day} other {# days}}` through `Intl.PluralRules`.
 */
const en = {
  title: "API keys",
  intro: "Keys let external systems (your CRM, website, scripts) call the API. Treat them like passwords.",
  newKey: "New API key",
  filterLabel: "Show",
  filterAll: "All keys",
  filterActive: "Active",
  filterExpired: "Expired",
  filterRevoked: "Revoked",
  colName: "Name",
  colKey: "Key",
  colCreated: "Created",
  colLastUsed: "Last used",
  colExpires: "Expires",
  colStatus: "Status",
  colActions: "Actions",
  never: "Never",
  noExpiry: "No expiry",
  active: "Active",
  expired: "Expired",
  revoked: "Revoked",
  loading: "Loading keys…",
  empty: "No API keys yet.",
  emptyFiltered: "No keys match this filter.",
  createFirst: "Create your first key",
  loadError: "The keys could not be loaded.",
  retry: "Try again",
  loadMore: "Load more",
  revoke: "Revoke",
  rotate: "Rotate",
  revokeKeyLabel: "Revoke {name}",
  rotateKeyLabel: "Rotate {name}",
  rotateOwnerNote: "Owner rotates",
  rotateOwnerReason: "This key can do more than you can. Revoke it, or ask its owner to rotate it.",
  hintRotate: "Rotate: older than {n, plural, one {# day} other {# days}}",
  hintUnused: "Unused for {n, plural, one {# day} other {# days}}: consider revoking",
  hintNeverUsed: "Never used: consider revoking",
  hintExpiresSoon: "Expires soon",
  createTitle: "New API key",
  nameLabel: "Name",
  nameHelp: "Describe what uses it, e.g. “CRM Integration”. One key per integration.",
  nameRequired: "Enter a name.",
  nameTooLong: "Use at most {n, plural, one {# character} other {# characters}}.",
  expiryLabel: "Expiry",
  days: "{n, plural, one {# day} other {# days}}",
  customDate: "Custom date",
  noExpiryOption: "No expiry",
  customDateLabel: "Expiry date",
  customDateInvalid: "Choose a date in the future within the allowed lifetime.",
  noExpiryWarning: "Keys without expiry are a security risk. Prefer an expiry and rotate the key before it ends.",
  cancel: "Cancel",
  create: "Create key",
  creating: "Creating…",
  revealTitle: "Copy your new key now",
  revealBody: "This is the only time the key is shown. Store it in an environment variable (for example in a .env file) and never put it in frontend code, a repository or an email.",
  yourKey: "Your API key",
  copy: "Copy",
  copied: "Copied to the clipboard.",
  copyFallback: "Selected: press Ctrl+C (⌘C) to copy.",
  stored: "I have stored it",
  revokeTitle: "Revoke “{name}”?",
  revokeBody: "Integrations using this key stop working immediately. This cannot be undone.",
  revokeConfirm: "Revoke key",
  revokedAnnounce: "{name} was revoked.",
  createdAnnounce: "{name} was created.",
  rotatedAnnounce: "{name} was rotated.",
  rotateTitle: "Rotate “{name}”",
  stepOf: "Step {n} of {total}",
  step1: "Create the new key",
  step1Body: "The new key keeps the name, permissions and lifetime of the old one. Choose how long the old key keeps working.",
  graceLabel: "Old key keeps working",
  graceNone: "Until I revoke it",
  graceHours: "{n, plural, one {# more hour} other {# more hours}}",
  graceDays: "{n, plural, one {# more day} other {# more days}}",
  createNewKey: "Create new key",
  step2: "Update your integration",
  step2Body: "Replace the old key with this one wherever the integration stores it.",
  step3: "Verify it works",
  step3Body: "Send a request with the new key, for example:",
  notUsedYet: "The new key has not been used yet.",
  usedAt: "The new key was used {when}.",
  checkAgain: "Check again",
  step4: "Revoke the old key",
  step4Body: "Once the integration uses the new key, revoke the old one.",
  step4Grace: "The old key stops working {when} on its own.",
  revokeOldNow: "Revoke old key now",
  finish: "Finish",
  next: "Next",
  back: "Back",
  errorGeneric: "Something went wrong. Try again.",
  errorNetwork: "The server could not be reached.",
  signInAgain: "Your session has expired. Sign in again.",
  errorRequest: "The request was refused. Reload the page and try again.",
  errorForbidden: "You are not allowed to do this.",
  errorStale: "This key no longer exists or has changed in the meantime. Reload the list.",
  errorKeyLimit: "You have reached the maximum number of active keys. Revoke one first.",
  errorRateLimited: "Too many requests. Wait a moment and try again.",
};

export type TermKey = keyof typeof en;
export type Catalogue = Record<TermKey, string>;

const de = [
  "API-Schlüssel", // title
  "Mit Schlüsseln rufen externe Systeme (CRM, Website, Skripte) die API auf. Behandeln Sie sie wie Passwörter.", // intro
  "Neuer API-Schlüssel", // newKey
  "Anzeigen", // filterLabel
  "Alle Schlüssel", // filterAll
  "Aktiv", // filterActive
  "Abgelaufen", // filterExpired
  "Widerrufen", // filterRevoked
  "Name", // colName
  "Schlüssel", // colKey
  "Erstellt", // colCreated
  "Zuletzt verwendet", // colLastUsed
  "Läuft ab", // colExpires
  "Status", // colStatus
  "Aktionen", // colActions
  "Nie", // never
  "Kein Ablauf", // noExpiry
  "Aktiv", // active
  "Abgelaufen", // expired
  "Widerrufen", // revoked
  "Schlüssel werden geladen…", // loading
  "Noch keine API-Schlüssel.", // empty
  "Kein Schlüssel entspricht diesem Filter.", // emptyFiltered
  "Ersten Schlüssel erstellen", // createFirst
  "Die Schlüssel konnten nicht geladen werden.", // loadError
  "Erneut versuchen", // retry
  "Mehr laden", // loadMore
  "Widerrufen", // revoke
  "Rotieren", // rotate
  "{name} widerrufen", // revokeKeyLabel
  "{name} rotieren", // rotateKeyLabel
  "Rotiert der Inhaber", // rotateOwnerNote
  "Dieser Schlüssel darf mehr als Sie. Widerrufen Sie ihn oder bitten Sie den Inhaber, ihn zu rotieren.", // rotateOwnerReason
  "Rotieren: älter als {n, plural, one {# Tag} other {# Tage}}", // hintRotate
  "Seit {n, plural, one {# Tag} other {# Tagen}} unbenutzt: Widerruf erwägen", // hintUnused
  "Nie benutzt: Widerruf erwägen", // hintNeverUsed
  "Läuft bald ab", // hintExpiresSoon
  "Neuer API-Schlüssel", // createTitle
  "Name", // nameLabel
  "Beschreiben Sie, was ihn nutzt, z. B. „CRM-Integration“. Ein Schlüssel pro Integration.", // nameHelp
  "Geben Sie einen Namen ein.", // nameRequired
  "Höchstens {n} Zeichen.", // nameTooLong
  "Ablauf", // expiryLabel
  "{n, plural, one {# Tag} other {# Tage}}", // days
  "Eigenes Datum", // customDate
  "Kein Ablauf", // noExpiryOption
  "Ablaufdatum", // customDateLabel
  "Wählen Sie ein zukünftiges Datum innerhalb der erlaubten Laufzeit.", // customDateInvalid
  "Schlüssel ohne Ablauf sind ein Sicherheitsrisiko. Setzen Sie besser ein Ablaufdatum und rotieren Sie rechtzeitig.", // noExpiryWarning
  "Abbrechen", // cancel
  "Schlüssel erstellen", // create
  "Wird erstellt…", // creating
  "Kopieren Sie Ihren neuen Schlüssel jetzt", // revealTitle
  "Der Schlüssel wird nur dieses eine Mal angezeigt. Speichern Sie ihn in einer Umgebungsvariable (etwa in einer .env-Datei), nie in Frontend-Code, einem Repository oder einer E-Mail.", // revealBody
  "Ihr API-Schlüssel", // yourKey
  "Kopieren", // copy
  "In die Zwischenablage kopiert.", // copied
  "Markiert: Drücken Sie Strg+C (⌘C) zum Kopieren.", // copyFallback
  "Ich habe ihn gespeichert", // stored
  "„{name}“ widerrufen?", // revokeTitle
  "Integrationen mit diesem Schlüssel funktionieren sofort nicht mehr. Das lässt sich nicht rückgängig machen.", // revokeBody
  "Schlüssel widerrufen", // revokeConfirm
  "{name} wurde widerrufen.", // revokedAnnounce
  "{name} wurde erstellt.", // createdAnnounce
  "{name} wurde rotiert.", // rotatedAnnounce
  "„{name}“ rotieren", // rotateTitle
  "Schritt {n} von {total}", // stepOf
  "Neuen Schlüssel erstellen", // step1
  "Der neue Schlüssel übernimmt Name, Berechtigungen und Laufzeit des alten. Wählen Sie, wie lange der alte noch funktioniert.", // step1Body
  "Alter Schlüssel funktioniert", // graceLabel
  "Bis ich ihn widerrufe", // graceNone
  "{n, plural, one {Noch # Stunde} other {Noch # Stunden}}", // graceHours
  "{n, plural, one {Noch # Tag} other {Noch # Tage}}", // graceDays
  "Neuen Schlüssel erstellen", // createNewKey
  "Integration aktualisieren", // step2
  "Ersetzen Sie den alten Schlüssel überall dort, wo die Integration ihn speichert.", // step2Body
  "Funktion prüfen", // step3
  "Senden Sie eine Anfrage mit dem neuen Schlüssel, zum Beispiel:", // step3Body
  "Der neue Schlüssel wurde noch nicht verwendet.", // notUsedYet
  "Der neue Schlüssel wurde {when} verwendet.", // usedAt
  "Erneut prüfen", // checkAgain
  "Alten Schlüssel widerrufen", // step4
  "Sobald die Integration den neuen Schlüssel nutzt, widerrufen Sie den alten.", // step4Body
  "Der alte Schlüssel endet {when} von selbst.", // step4Grace
  "Alten Schlüssel jetzt widerrufen", // revokeOldNow
  "Fertig", // finish
  "Weiter", // next
  "Zurück", // back
  "Etwas ist schiefgelaufen. Bitte erneut versuchen.", // errorGeneric
  "Der Server ist nicht erreichbar.", // errorNetwork
  "Ihre Sitzung ist abgelaufen. Bitte erneut anmelden.", // signInAgain
  "Die Anfrage wurde nicht angenommen. Laden Sie die Seite neu und versuchen Sie es erneut.", // errorRequest
  "Dazu sind Sie nicht berechtigt.", // errorForbidden
  "Dieser Schlüssel existiert nicht mehr oder wurde inzwischen geändert. Laden Sie die Liste neu.", // errorStale
  "Sie haben die Höchstzahl aktiver Schlüssel erreicht. Widerrufen Sie zuerst einen.", // errorKeyLimit
  "Zu viele Anfragen. Warten Sie einen Moment und versuchen Sie es erneut.", // errorRateLimited
];

const fr = [
  "Clés API", // title
  "Les clés permettent à des systèmes externes (votre CRM, votre site web, vos scripts) d’appeler l’API. Traitez-les comme des mots de passe.", // intro
  "Nouvelle clé API", // newKey
  "Afficher", // filterLabel
  "Toutes les clés", // filterAll
  "Actives", // filterActive
  "Expirées", // filterExpired
  "Révoquées", // filterRevoked
  "Nom", // colName
  "Clé", // colKey
  "Créée le", // colCreated
  "Dernière utilisation", // colLastUsed
  "Expiration", // colExpires
  "Statut", // colStatus
  "Actions", // colActions
  "Jamais", // never
  "Sans expiration", // noExpiry
  "Active", // active
  "Expirée", // expired
  "Révoquée", // revoked
  "Chargement des clés…", // loading
  "Aucune clé API pour l’instant.", // empty
  "Aucune clé ne correspond à ce filtre.", // emptyFiltered
  "Créer votre première clé", // createFirst
  "Impossible de charger les clés.", // loadError
  "Réessayer", // retry
  "Afficher plus", // loadMore
  "Révoquer", // revoke
  "Renouveler", // rotate
  "Révoquer {name}", // revokeKeyLabel
  "Renouveler {name}", // rotateKeyLabel
  "Seul le propriétaire la renouvelle", // rotateOwnerNote
  "Cette clé a plus de droits que vous. Révoquez-la ou demandez à son propriétaire de la renouveler.", // rotateOwnerReason
  "À renouveler\u00a0: créée il y a plus de {n, plural, one {# jour} other {# jours}}", // hintRotate
  "Inutilisée depuis {n, plural, one {# jour} other {# jours}}\u00a0: envisagez de la révoquer", // hintUnused
  "Jamais utilisée\u00a0: envisagez de la révoquer", // hintNeverUsed
  "Expire bientôt", // hintExpiresSoon
  "Nouvelle clé API", // createTitle
  "Nom", // nameLabel
  "Indiquez ce qui l’utilise, par ex. «\u00a0Intégration CRM\u00a0». Une clé par intégration.", // nameHelp
  "Saisissez un nom.", // nameRequired
  "{n, plural, one {# caractère} other {# caractères}} au maximum.", // nameTooLong
  "Expiration", // expiryLabel
  "{n, plural, one {# jour} other {# jours}}", // days
  "Date personnalisée", // customDate
  "Sans expiration", // noExpiryOption
  "Date d’expiration", // customDateLabel
  "Choisissez une date future comprise dans la durée de validité autorisée.", // customDateInvalid
  "Les clés sans expiration sont un risque de sécurité. Préférez une date d’expiration et renouvelez la clé avant qu’elle n’expire.", // noExpiryWarning
  "Annuler", // cancel
  "Créer la clé", // create
  "Création…", // creating
  "Copiez votre nouvelle clé maintenant", // revealTitle
  "La clé n’est affichée qu’une seule fois. Enregistrez-la dans une variable d’environnement (par exemple dans un fichier .env) et ne la placez jamais dans du code frontend, un dépôt ou un e-mail.", // revealBody
  "Votre clé API", // yourKey
  "Copier", // copy
  "Copiée dans le presse-papiers.", // copied
  "Sélectionnée\u00a0: appuyez sur Ctrl+C (⌘C) pour copier.", // copyFallback
  "Je l’ai enregistrée", // stored
  "Révoquer «\u00a0{name}\u00a0»\u00a0?", // revokeTitle
  "Les intégrations qui utilisent cette clé cessent immédiatement de fonctionner. Cette action est irréversible.", // revokeBody
  "Révoquer la clé", // revokeConfirm
  "La clé {name} a été révoquée.", // revokedAnnounce
  "La clé {name} a été créée.", // createdAnnounce
  "La clé {name} a été renouvelée.", // rotatedAnnounce
  "Renouveler «\u00a0{name}\u00a0»", // rotateTitle
  "Étape {n} sur {total}", // stepOf
  "Créer la nouvelle clé", // step1
  "La nouvelle clé reprend le nom, les autorisations et la durée de validité de l’ancienne. Choisissez combien de temps l’ancienne clé reste valable.", // step1Body
  "L’ancienne clé reste valable", // graceLabel
  "Jusqu’à ce que je la révoque", // graceNone
  "{n, plural, one {Encore # heure} other {Encore # heures}}", // graceHours
  "{n, plural, one {Encore # jour} other {Encore # jours}}", // graceDays
  "Créer la nouvelle clé", // createNewKey
  "Mettre à jour l’intégration", // step2
  "Remplacez l’ancienne clé par celle-ci partout où l’intégration la conserve.", // step2Body
  "Vérifier qu’elle fonctionne", // step3
  "Envoyez une requête avec la nouvelle clé, par exemple\u00a0:", // step3Body
  "La nouvelle clé n’a pas encore été utilisée.", // notUsedYet
  "La nouvelle clé a été utilisée {when}.", // usedAt
  "Vérifier à nouveau", // checkAgain
  "Révoquer l’ancienne clé", // step4
  "Dès que l’intégration utilise la nouvelle clé, révoquez l’ancienne.", // step4Body
  "L’ancienne clé cessera de fonctionner d’elle-même {when}.", // step4Grace
  "Révoquer l’ancienne clé maintenant", // revokeOldNow
  "Terminer", // finish
  "Suivant", // next
  "Retour", // back
  "Une erreur s’est produite. Réessayez.", // errorGeneric
  "Impossible de joindre le serveur.", // errorNetwork
  "Votre session a expiré. Reconnectez-vous.", // signInAgain
  "La requête a été refusée. Rechargez la page et réessayez.", // errorRequest
  "Vous n’êtes pas autorisé à effectuer cette action.", // errorForbidden
  "Cette clé n’existe plus ou a été modifiée entre-temps. Rechargez la liste.", // errorStale
  "Vous avez atteint le nombre maximal de clés actives. Révoquez-en une d’abord.", // errorKeyLimit
  "Trop de requêtes. Patientez un instant, puis réessayez.", // errorRateLimited
];

const es = [
  "Claves de API", // title
  "Las claves permiten que sistemas externos (su CRM, su sitio web, sus scripts) llamen a la API. Trátelas como contraseñas.", // intro
  "Nueva clave de API", // newKey
  "Mostrar", // filterLabel
  "Todas las claves", // filterAll
  "Activas", // filterActive
  "Caducadas", // filterExpired
  "Revocadas", // filterRevoked
  "Nombre", // colName
  "Clave", // colKey
  "Creada", // colCreated
  "Último uso", // colLastUsed
  "Caduca", // colExpires
  "Estado", // colStatus
  "Acciones", // colActions
  "Nunca", // never
  "Sin caducidad", // noExpiry
  "Activa", // active
  "Caducada", // expired
  "Revocada", // revoked
  "Cargando claves…", // loading
  "Todavía no hay claves de API.", // empty
  "Ninguna clave coincide con este filtro.", // emptyFiltered
  "Crear su primera clave", // createFirst
  "No se han podido cargar las claves.", // loadError
  "Reintentar", // retry
  "Cargar más", // loadMore
  "Revocar", // revoke
  "Rotar", // rotate
  "Revocar {name}", // revokeKeyLabel
  "Rotar {name}", // rotateKeyLabel
  "Solo su propietario la rota", // rotateOwnerNote
  "Esta clave tiene más permisos que usted. Revóquela o pida a su propietario que la rote.", // rotateOwnerReason
  "Rotar: creada hace más de {n, plural, one {# día} other {# días}}", // hintRotate
  "Sin usar desde hace {n, plural, one {# día} other {# días}}: considere revocarla", // hintUnused
  "Nunca usada: considere revocarla", // hintNeverUsed
  "Caduca pronto", // hintExpiresSoon
  "Nueva clave de API", // createTitle
  "Nombre", // nameLabel
  "Describa qué la usa, p. ej., «Integración con el CRM». Una clave por integración.", // nameHelp
  "Introduzca un nombre.", // nameRequired
  "Use como máximo {n, plural, one {# carácter} other {# caracteres}}.", // nameTooLong
  "Caducidad", // expiryLabel
  "{n, plural, one {# día} other {# días}}", // days
  "Fecha personalizada", // customDate
  "Sin caducidad", // noExpiryOption
  "Fecha de caducidad", // customDateLabel
  "Elija una fecha futura dentro de la vigencia permitida.", // customDateInvalid
  "Las claves sin caducidad son un riesgo de seguridad. Es preferible fijar una caducidad y rotar la clave antes de que venza.", // noExpiryWarning
  "Cancelar", // cancel
  "Crear clave", // create
  "Creando…", // creating
  "Copie ahora su nueva clave", // revealTitle
  "Esta es la única vez que se muestra la clave. Guárdela en una variable de entorno (por ejemplo, en un archivo .env) y nunca la ponga en código frontend, en un repositorio ni en un correo electrónico.", // revealBody
  "Su clave de API", // yourKey
  "Copiar", // copy
  "Copiada al portapapeles.", // copied
  "Seleccionada: pulse Ctrl+C (⌘C) para copiarla.", // copyFallback
  "Ya la he guardado", // stored
  "¿Revocar «{name}»?", // revokeTitle
  "Las integraciones que usan esta clave dejan de funcionar de inmediato. Esta acción no se puede deshacer.", // revokeBody
  "Revocar clave", // revokeConfirm
  "Se ha revocado la clave {name}.", // revokedAnnounce
  "Se ha creado la clave {name}.", // createdAnnounce
  "Se ha rotado la clave {name}.", // rotatedAnnounce
  "Rotar «{name}»", // rotateTitle
  "Paso {n} de {total}", // stepOf
  "Crear la nueva clave", // step1
  "La nueva clave conserva el nombre, los permisos y la vigencia de la anterior. Elija durante cuánto tiempo sigue funcionando la clave anterior.", // step1Body
  "La clave anterior sigue funcionando", // graceLabel
  "Hasta que la revoque", // graceNone
  "{n, plural, one {# hora más} other {# horas más}}", // graceHours
  "{n, plural, one {# día más} other {# días más}}", // graceDays
  "Crear nueva clave", // createNewKey
  "Actualizar la integración", // step2
  "Sustituya la clave anterior por esta en todos los lugares donde la integración la guarde.", // step2Body
  "Comprobar que funciona", // step3
  "Envíe una solicitud con la nueva clave, por ejemplo:", // step3Body
  "La nueva clave aún no se ha usado.", // notUsedYet
  "La nueva clave se usó {when}.", // usedAt
  "Volver a comprobar", // checkAgain
  "Revocar la clave anterior", // step4
  "En cuanto la integración use la nueva clave, revoque la anterior.", // step4Body
  "La clave anterior dejará de funcionar por sí sola {when}.", // step4Grace
  "Revocar ahora la clave anterior", // revokeOldNow
  "Finalizar", // finish
  "Siguiente", // next
  "Atrás", // back
  "Se ha producido un error. Inténtelo de nuevo.", // errorGeneric
  "No se ha podido conectar con el servidor.", // errorNetwork
  "Su sesión ha caducado. Vuelva a iniciar sesión.", // signInAgain
  "No se ha aceptado la solicitud. Recargue la página e inténtelo de nuevo.", // errorRequest
  "No tiene permiso para hacer esto.", // errorForbidden
  "Esta clave ya no existe o ha cambiado mientras tanto. Recargue la lista.", // errorStale
  "Ha alcanzado el número máximo de claves activas. Revoque una primero.", // errorKeyLimit
  "Demasiadas solicitudes. Espere un momento e inténtelo de nuevo.", // errorRateLimited
];

/** Each other language's sentences, in the order of `en`'s keys (every line names its key). */
export const SENTENCES: Record<string, readonly string[]> = { de, fr, es };

/** The catalogues by language subtag. */
export const CATALOGUES: Record<string, Catalogue> = { en };
for (const [lang, sentences] of Object.entries(SENTENCES)) {
  CATALOGUES[lang] = Object.fromEntries(Object.keys(en).map((key, i) => [key, sentences[i]])) as Catalogue;
}

export type Values = Record<string, string | number | undefined>;

/** The element's words in one locale: `t` fills a term in, `locale` is what `Intl` formats with. */
export interface Translator {
  /** The locale for `Intl`: the requested one when its language has a catalogue ("fr-CA"), else "en". */
  locale: string;
  t: (key: TermKey, values?: Values) => string;
}

const translators = new Map<string, Translator>();

/**
 * The terms of a BCP 47 locale: its language's catalogue ("fr-CA" → French), English when the
 * language has none. Numbers in `{n}` are formatted with `Intl.NumberFormat`, and
 * `{n, plural, one {# day} other {# days}}` picks its form with `Intl.PluralRules` (`#` is the
 * formatted number; a missing form falls back to `other`).
 *
 * @example
 * translator("fr-CA").t("days", { n: 30 }); // "30 jours"
 */
export function translator(requested: string): Translator {
  let found = translators.get(requested);
  if (!found) {
    const lang = requested.toLowerCase().split(/[-_]/)[0]!;
    const known = Object.hasOwn(CATALOGUES, lang);
    let locale = "en";
    try {
      locale = known ? (Intl.getCanonicalLocales(requested.replace(/_/g, "-"))[0] ?? lang) : "en";
    } catch {
      locale = lang; // a malformed region ("fr-??"): the language alone
    }
    const catalogue = CATALOGUES[known ? lang : "en"]!;
    const numbers = new Intl.NumberFormat(locale);
    const plurals = new Intl.PluralRules(locale);
    const t = (key: TermKey, values: Values = {}) =>
      catalogue[key].replace(/\{(\w+)(?:, plural, ((?:\w+ \{[^}]*\} ?)+))?\}/g, (_, name: string, forms?: string) => {
        const value = values[name] ?? "";
        if (typeof value !== "number") return value;
        const n = numbers.format(value);
        if (!forms) return n;
        const form: Record<string, string> = {};
        for (const [, category, text] of forms.matchAll(/(\w+) \{([^}]*)\}/g)) form[category!] = text!;
        return (form[plurals.select(value)] ?? form.other ?? "").replace(/#/g, n);
      });
    translators.set(requested, (found = { locale, t }));
  }
  return found;
}
