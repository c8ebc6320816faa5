/**
 * Outlook-style header blocks ("From: … Sent: … To: … Subject: …") with their labels in the languages
 * Outlook, Gmail, Thunderbird and Samsung mail localise them to.
 */

/** Labels that open a header block ("From:"), with the language they name. */
const FROM_LABELS: ReadonlyMap<string, string> = new Map([
  ["from", "en"],
  ["von", "de"],
  ["de", "fr"], // also Spanish and Portuguese "De:"; the pattern names French, the most common sender
  ["expéditeur", "fr"],
  ["da", "it"],
  ["mittente", "it"],
  ["remitente", "es"],
  ["van", "nl"],
  ["afzender", "nl"],
  ["fra", "da"], // Danish and Norwegian
  ["från", "sv"],
  ["avsändare", "sv"],
  ["lähettäjä", "fi"],
  ["od", "pl"], // also Czech
  ["nadawca", "pl"],
  ["от", "ru"],
  ["від", "uk"],
  ["kimden", "tr"],
  ["gönderen", "tr"],
  ["feladó", "hu"],
  ["odesílatel", "cs"],
  ["από", "el"],
  ["发件人", "zh"],
  ["寄件者", "zh"],
  ["差出人", "ja"],
  ["보낸 사람", "ko"],
]);

/** Labels of the other header lines (Sent/Date/To/Cc/Subject) in the same languages. */
const OTHER_LABELS = new Set([
  // en
  "sent",
  "date",
  "to",
  "cc",
  "subject",
  "reply-to",
  // de
  "gesendet",
  "datum",
  "an",
  "betreff",
  "kopie",
  // fr
  "envoyé",
  "date",
  "à",
  "a",
  "objet",
  "cc",
  // es / pt
  "enviado",
  "enviado el",
  "enviada em",
  "enviado em",
  "fecha",
  "para",
  "asunto",
  "assunto",
  "data",
  // it
  "inviato",
  "inviato il",
  "a",
  "oggetto",
  "data",
  // nl
  "verzonden",
  "aan",
  "onderwerp",
  "datum",
  // da / no / sv
  "sendt",
  "til",
  "emne",
  "dato",
  "skickat",
  "till",
  "ämne",
  "datum",
  "kopia",
  // fi
  "lähetetty",
  "vastaanottaja",
  "aihe",
  "päivämäärä",
  "kopio",
  // pl / cs
  "wysłano",
  "wysłane",
  "do",
  "temat",
  "data",
  "odesláno",
  "komu",
  "předmět",
  "datum",
  "kopie",
  // ru / uk
  "отправлено",
  "дата",
  "кому",
  "тема",
  "копия",
  "надіслано",
  "тема",
  // tr
  "gönderildi",
  "tarih",
  "kime",
  "konu",
  "bilgi",
  // hu
  "elküldve",
  "dátum",
  "címzett",
  "tárgy",
  "másolat",
  // el
  "στάλθηκε",
  "προς",
  "θέμα",
  // zh / ja / ko
  "发送时间",
  "日期",
  "收件人",
  "主题",
  "抄送",
  "傳送時間",
  "收件者",
  "主旨",
  "送信日時",
  "日付",
  "宛先",
  "件名",
  "보낸 날짜",
  "받는 사람",
  "제목",
  "날짜",
]);

/** The label of a "Label: value" line ("*From:*", "De :", "发件人："), lower-cased, or undefined. */
export function headerLabel(line: string): string | undefined {
  let s = line.trim();
  let start = 0;
  while (start < s.length && (s[start] === "*" || s[start] === "\u00a0")) start++;
  s = s.slice(start);
  let colon = -1;
  // Labels are short: look for the colon in the first 24 characters only.
  for (let i = 0; i < s.length && i < 24; i++) {
    if (s[i] === ":" || s[i] === "：") {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return undefined;
  const label = s
    .slice(0, colon)
    .replace(/[*\s\u00a0]+$/u, "")
    .toLowerCase();
  return label || undefined;
}

/** The language of a "From:"-family label line, or undefined. */
export function fromLabelLanguage(line: string): string | undefined {
  const label = headerLabel(line);
  return label === undefined ? undefined : FROM_LABELS.get(label);
}

/** True for a "Sent:/Date:/To:/Subject:"-family label line in any of the languages. */
export function isOtherHeaderLine(line: string): boolean {
  const label = headerLabel(line);
  return label !== undefined && OTHER_LABELS.has(label);
}

/**
 * Whether `lines[at]` opens a header block: a "From:"-family line followed, within the next few lines (long
 * values wrap), by a "Sent:/Date:/To:/Subject:"-family line. Returns `outlook-header-block:<lang>`.
 *
 * @example
 * matchHeaderBlock(["From: Ann", "Sent: Monday", "To: Bob"], 0); // "outlook-header-block:en"
 * matchHeaderBlock(["From: our database, not from you."], 0);     // undefined
 */
export function matchHeaderBlock(lines: readonly string[], at: number): string | undefined {
  const first = lines[at];
  if (first === undefined) return undefined;
  const lang = fromLabelLanguage(first);
  if (lang === undefined) return undefined;
  for (let j = at + 1; j < lines.length && j <= at + 4; j++) {
    const line = lines[j] as string;
    if (isOtherHeaderLine(line)) return `outlook-header-block:${lang}`;
  }
  // Samsung and some Outlook forms put several fields on one line: "De : X À : Y Objet : Z".
  return undefined;
}
