// Name pools for the benchmark corpus: given and family names from many
// locales and scripts, each with the Latin spelling a localpart would use.
// Weights roughly follow a large federated deployment: mostly Latin-script
// names, then Cyrillic, CJK, Arabic, Devanagari, Hangul, Greek, Hebrew, Thai.
import type { Random } from './random.js'

/** A locale's names: `[native, latin]` pairs (the same string where the script is Latin). */
interface Locale {
  weight: number
  given: readonly (readonly [string, string])[]
  family: readonly (readonly [string, string])[]
  /** Family name first, no space (Chinese, Japanese, Korean display names). */
  familyFirst?: boolean
}

const latin = (names: string): [string, string][] => names.split(' ').map((n) => [n, stripMarks(n)])
const pairs = (natives: string, latins: string): [string, string][] => {
  const a = natives.split(' ')
  const b = latins.split(' ')
  if (a.length !== b.length) throw new Error(`name pool mismatch: ${natives}`)
  return a.map((n, i) => [n, b[i]])
}

const LOCALES: readonly Locale[] = [
  { weight: 30, given: latin('James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Susan Alice Bob Carol Dave Eve Frank Grace Heidi'),
    family: latin('Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson White Harris Clark Lewis Walker Hall Young') },
  { weight: 8, given: latin('Jürgen Sören Lukas Anna Lena Maximilian Sophie Jonas Marie Felix Käthe Jörg'),
    family: latin('Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Groß') },
  { weight: 7, given: latin('Éloïse François Léa Chloé Noé Hélène Jérôme Maël Zoé Gaëlle André Céline'),
    family: latin('Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Lefèvre Girard') },
  { weight: 7, given: latin('José María Lucía Javier Sofía Martín Álvaro Inés Raúl Begoña João Conceição'),
    family: latin('García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Núñez Gonçalves Simões') },
  { weight: 4, given: latin('Łukasz Małgorzata Paweł Agnieszka Wojciech Zofia Kasia Jędrzej'),
    family: latin('Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymańska') },
  { weight: 3, given: latin('İlker Ayşe Mehmet Gülşen Çağrı Özge Şükrü Emine'),
    family: latin('Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın') },
  { weight: 3, given: latin('Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ'),
    family: latin('Anh Bảo Châu Dũng Hương Linh Minh Thảo') },
  { weight: 8, given: pairs('Алексей Наталья Дмитрий Ольга Сергей Татьяна Иван Анна Ярослав Оксана', 'aleksei natalia dmitry olga sergei tatiana ivan anna yaroslav oksana'),
    family: pairs('Иванов Смирнова Кузнецов Попова Соколов Лебедева Козлов Новикова Шевченко Бондаренко', 'ivanov smirnova kuznetsov popova sokolov lebedeva kozlov novikova shevchenko bondarenko') },
  { weight: 2, given: pairs('Γιώργος Μαρία Νίκος Ελένη Κώστας Σοφία', 'giorgos maria nikos eleni kostas sofia'),
    family: pairs('Παπαδόπουλος Οικονόμου Γεωργίου Δημητρίου Ιωάννου Καραγιάννη', 'papadopoulos oikonomou georgiou dimitriou ioannou karagianni') },
  { weight: 6, given: pairs('伟 芳 娜 敏 静 强 磊 洋 艳 杰', 'wei fang na min jing qiang lei yang yan jie'),
    family: pairs('王 李 张 刘 陈 杨 黄 赵 吴 周', 'wang li zhang liu chen yang huang zhao wu zhou'), familyFirst: true },
  { weight: 4, given: pairs('太郎 花子 翔太 さくら 陽菜 蓮 ゆい ハルト', 'taro hanako shota sakura hina ren yui haruto'),
    family: pairs('田中 佐藤 鈴木 高橋 渡辺 伊藤 山本 中村', 'tanaka sato suzuki takahashi watanabe ito yamamoto nakamura'), familyFirst: true },
  { weight: 3, given: pairs('민준 서연 도윤 지우 하준 서윤', 'minjun seoyeon doyun jiwoo hajun seoyun'),
    family: pairs('김 이 박 최 정 강', 'kim lee park choi jung kang'), familyFirst: true },
  { weight: 4, given: pairs('محمد فاطمة أحمد مريم علي زينب يوسف نور', 'mohammed fatima ahmed maryam ali zainab youssef nour'),
    family: pairs('علي حسن حسين إبراهيم عبدالله خليل منصور سعيد', 'ali hassan hussein ibrahim abdullah khalil mansour said') },
  { weight: 2, given: pairs('דוד שרה משה רחל יוסף מרים', 'david sarah moshe rachel yosef miriam'),
    family: pairs('כהן לוי מזרחי פרץ ביטון אברהם', 'cohen levi mizrahi peretz biton avraham') },
  { weight: 4, given: pairs('राहुल प्रिया अमित पूजा विकास अंजलि', 'rahul priya amit pooja vikas anjali'),
    family: pairs('शर्मा वर्मा गुप्ता सिंह कुमार पटेल', 'sharma verma gupta singh kumar patel') },
  { weight: 2, given: pairs('สมชาย สมศรี ประยุทธ์ มาลี', 'somchai somsri prayut malee'),
    family: pairs('ใจดี รักไทย สุขสม ทองดี', 'jaidee rakthai suksom thongdee') },
]
const TOTAL_WEIGHT = LOCALES.reduce((sum, l) => sum + l.weight, 0)

const DECORATIONS = [' (work)', ' (she/her)', ' (he/him)', ' [AFK]', ' 🎉', ' 🌈', ' | Acme Corp', ' - bot', ' ✨']

/** A person's names: the display name and a Latin base for the localpart. */
export interface PersonName {
  given: string
  family: string
  displayName: string
  latinGiven: string
  latinFamily: string
}

/** Draws a person from the weighted locales; a few display names get a suffix or odd casing. */
export function personName(r: Random): PersonName {
  let roll = r.next() * TOTAL_WEIGHT
  let locale = LOCALES[0]
  for (const l of LOCALES) {
    roll -= l.weight
    if (roll < 0) {
      locale = l
      break
    }
  }
  const [given, latinGiven] = r.pick(locale.given)
  const [family, latinFamily] = r.pick(locale.family)
  const shape = r.next()
  let displayName: string
  if (locale.familyFirst === true) displayName = shape < 0.85 ? `${family}${given}` : `${family} ${given}`
  else if (shape < 0.7) displayName = `${given} ${family}`
  else if (shape < 0.8) displayName = given
  else if (shape < 0.88) displayName = `${given} ${r.pick(locale.given)[0]} ${family}`
  else if (shape < 0.93) displayName = `${family.toUpperCase()} ${given}`
  else displayName = `${given} ${family}${r.pick(DECORATIONS)}`
  return { given, family, displayName, latinGiven: latinGiven.toLowerCase(), latinFamily: latinFamily.toLowerCase() }
}

/** A localpart built from a person's Latin names, as people pick them (may collide; the caller makes it unique). */
export function localpartFor(r: Random, name: PersonName): string {
  const g = name.latinGiven.replace(/[^a-z0-9]/g, '')
  const f = name.latinFamily.replace(/[^a-z0-9]/g, '')
  const roll = r.next()
  if (roll < 0.3) return `${g}.${f}`
  if (roll < 0.45) return `${g}${f}`
  if (roll < 0.6) return `${g}${r.int(1, 9999)}`
  if (roll < 0.7) return `${g}_${f}`
  if (roll < 0.78) return `${g[0] ?? 'x'}${f}`
  if (roll < 0.84) return `${f}-${g}`
  if (roll < 0.9) return `${g}.${f}${r.int(70, 99)}`
  if (roll < 0.94) return `${r.pick(['the', 'real', 'xx', 'mr', 'dr'])}${g}`
  return `user${r.int(1, 99_999_999)}`
}

function stripMarks(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[łŁ]/g, 'l').replace(/ı/g, 'i').replace(/ß/g, 'ss')
}
