// The state table of PostgreSQL's default text-search parser
// (src/backend/tsearch/wparser_def.c, PostgreSQL 15), as data for the engine
// in pg-parser.ts. Each state lists its rules in order; the first rule whose
// test passes on the current character fires. A database created with
// ENCODING 'UTF8' LC_CTYPE 'C' (which Synapse requires) classifies every
// non-ASCII character as a letter and as nothing else, so the table's
// `p_isspecial` rules can never fire there (each follows a letter test on the
// same character) and are left out.

/** Token types of the default parser (`ts_token_type('default')`). */
export const TokenType = {
  AsciiWord: 1,
  Word: 2,
  NumWord: 3,
  Email: 4,
  Url: 5,
  Host: 6,
  Scientific: 7,
  Version: 8,
  NumPartHWord: 9,
  PartHWord: 10,
  AsciiPartHWord: 11,
  Space: 12,
  Tag: 13,
  Protocol: 14,
  NumHWord: 15,
  AsciiHWord: 16,
  HWord: 17,
  UrlPath: 18,
  File: 19,
  Decimal: 20,
  SignedInt: 21,
  UnsignedInt: 22,
  XmlEntity: 23,
} as const

// Character tests. `Eq` compares with the rule's ASCII character.
export const Test = {
  Any: 0, Eof: 1, Eq: 2, AscLetter: 3, Alpha: 4, Digit: 5, Alnum: 6, NotAlnum: 7,
  Space: 8, XDigit: 9, UrlChar: 10, Ignore: 11, StopHost: 12, Host: 13, UrlPath: 14,
} as const

// Rule actions (bit flags, as in the C source; 0 is "advance one character").
export const Act = { Next: 0, Bingo: 1, Pop: 2, Push: 4, Rerun: 8, Clear: 16, Merge: 32, ClearAll: 64 } as const

// Side effects some rules run before their action.
export const Special = { None: 0, Tags: 1, FullUrl: 2, Hyphen: 3, VerVersion: 4 } as const

/** Parser states, numbered in the order of {@link STATE_RULES}. */
export const S = {
  Base: 0, InNumWord: 1, InAsciiWord: 2, InWord: 3, InUnsignedInt: 4, InSignedIntFirst: 5, InSignedInt: 6,
  InSpace: 7, InUDecimalFirst: 8, InUDecimal: 9, InDecimalFirst: 10, InDecimal: 11, InVerVersion: 12,
  InSVerVersion: 13, InVersionFirst: 14, InVersion: 15, InMantissaFirst: 16, InMantissaSign: 17, InMantissa: 18,
  InXMLEntityFirst: 19, InXMLEntity: 20, InXMLEntityNumFirst: 21, InXMLEntityNum: 22, InXMLEntityHexNumFirst: 23,
  InXMLEntityHexNum: 24, InXMLEntityEnd: 25, InTagFirst: 26, InXMLBegin: 27, InTagCloseFirst: 28, InTagName: 29,
  InTagBeginEnd: 30, InTag: 31, InTagEscapeK: 32, InTagEscapeKK: 33, InTagBackSleshed: 34, InTagEnd: 35,
  InCommentFirst: 36, InCommentLast: 37, InComment: 38, InCloseCommentFirst: 39, InCloseCommentLast: 40,
  InCommentEnd: 41, InHostFirstDomain: 42, InHostDomainSecond: 43, InHostDomain: 44, InPortFirst: 45, InPort: 46,
  InHostFirstAN: 47, InHost: 48, InEmail: 49, InFileFirst: 50, InFileTwiddle: 51, InPathFirst: 52,
  InPathFirstFirst: 53, InPathSecond: 54, InFile: 55, InFileNext: 56, InURLPathFirst: 57, InURLPathStart: 58,
  InURLPath: 59, InFURL: 60, InProtocolFirst: 61, InProtocolSecond: 62, InProtocolEnd: 63,
  InHyphenAsciiWordFirst: 64, InHyphenAsciiWord: 65, InHyphenWordFirst: 66, InHyphenWord: 67,
  InHyphenNumWordFirst: 68, InHyphenNumWord: 69, InHyphenDigitLookahead: 70, InParseHyphen: 71,
  InParseHyphenHyphen: 72, InHyphenWordPart: 73, InHyphenAsciiWordPart: 74, InHyphenNumWordPart: 75,
  InHyphenUnsignedInt: 76,
} as const

/** "Stay in the current state". */
export const STAY = -1

/** One rule: test (with its character for `Eq`), action flags, next state, token type, side effect. */
export interface Rule {
  readonly test: number
  readonly ch: number
  readonly act: number
  readonly to: number
  readonly type: number
  readonly special: number
}

const { Any, Eof, Eq, AscLetter, Alpha, Digit, Alnum, NotAlnum, Space, XDigit, UrlChar, Ignore, StopHost, Host, UrlPath } = Test
const { Next, Bingo, Pop, Push, Rerun, Clear, Merge, ClearAll } = Act
const T = TokenType

// Compact rule spelling: r(test, action, to, type, special); e(char, action, to, ...) for `Eq`.
function r(test: number, act: number, to: number = STAY, type = 0, special: number = Special.None): Rule {
  return { test, ch: 0, act, to, type, special }
}
function e(ch: string, act: number, to: number = STAY, type = 0, special: number = Special.None): Rule {
  return { test: Eq, ch: ch.charCodeAt(0), act, to, type, special }
}
const popAtEof = r(Eof, Pop)
const popOtherwise = r(Any, Pop)

// Tag-name characters shared by InTag.
const tagPunct = ['=', '-', '_', '#', '/', ':', '.', '&', '?', '%', '~'].map((c) => e(c, Next))

/** Rules per state, indexed by {@link S}. */
export const STATE_RULES: readonly (readonly Rule[])[] = [
  /* Base */ [r(Eof, Next), e('<', Push, S.InTagFirst), r(Ignore, Next, S.InSpace), r(AscLetter, Next, S.InAsciiWord),
    r(Alpha, Next, S.InWord), r(Digit, Next, S.InUnsignedInt), e('-', Push, S.InSignedIntFirst),
    e('+', Push, S.InSignedIntFirst), e('&', Push, S.InXMLEntityFirst), e('~', Push, S.InFileTwiddle),
    e('/', Push, S.InFileFirst), e('.', Push, S.InPathFirstFirst), r(Any, Next, S.InSpace)],
  /* InNumWord */ [r(Eof, Bingo, S.Base, T.NumWord), r(Alnum, Next, S.InNumWord), e('@', Push, S.InEmail),
    e('/', Push, S.InFileFirst), e('.', Push, S.InFileNext), e('-', Push, S.InHyphenNumWordFirst),
    r(Any, Bingo, S.Base, T.NumWord)],
  /* InAsciiWord */ [r(Eof, Bingo, S.Base, T.AsciiWord), r(AscLetter, Next), e('.', Push, S.InHostFirstDomain),
    e('.', Push, S.InFileNext), e('-', Push, S.InHostFirstAN), e('-', Push, S.InHyphenAsciiWordFirst),
    e('_', Push, S.InHostFirstAN), e('@', Push, S.InEmail), e(':', Push, S.InProtocolFirst),
    e('/', Push, S.InFileFirst), r(Digit, Push, S.InHost), r(Digit, Next, S.InNumWord), r(Alpha, Next, S.InWord),
    r(Any, Bingo, S.Base, T.AsciiWord)],
  /* InWord */ [r(Eof, Bingo, S.Base, T.Word), r(Alpha, Next), r(Digit, Next, S.InNumWord),
    e('-', Push, S.InHyphenWordFirst), r(Any, Bingo, S.Base, T.Word)],
  /* InUnsignedInt */ [r(Eof, Bingo, S.Base, T.UnsignedInt), r(Digit, Next), e('.', Push, S.InHostFirstDomain),
    e('.', Push, S.InUDecimalFirst), e('e', Push, S.InMantissaFirst), e('E', Push, S.InMantissaFirst),
    e('-', Push, S.InHostFirstAN), e('_', Push, S.InHostFirstAN), e('@', Push, S.InEmail),
    r(AscLetter, Push, S.InHost), r(Alpha, Next, S.InNumWord), e('/', Push, S.InFileFirst),
    r(Any, Bingo, S.Base, T.UnsignedInt)],
  /* InSignedIntFirst */ [popAtEof, r(Digit, Next | Clear, S.InSignedInt), popOtherwise],
  /* InSignedInt */ [r(Eof, Bingo, S.Base, T.SignedInt), r(Digit, Next), e('.', Push, S.InDecimalFirst),
    e('e', Push, S.InMantissaFirst), e('E', Push, S.InMantissaFirst), r(Any, Bingo, S.Base, T.SignedInt)],
  /* InSpace */ [r(Eof, Bingo, S.Base, T.Space), e('<', Bingo, S.Base, T.Space), r(Ignore, Next),
    e('-', Bingo, S.Base, T.Space), e('+', Bingo, S.Base, T.Space), e('&', Bingo, S.Base, T.Space),
    e('/', Bingo, S.Base, T.Space), r(NotAlnum, Next, S.InSpace), r(Any, Bingo, S.Base, T.Space)],
  /* InUDecimalFirst */ [popAtEof, r(Digit, Clear, S.InUDecimal), popOtherwise],
  /* InUDecimal */ [r(Eof, Bingo, S.Base, T.Decimal), r(Digit, Next, S.InUDecimal), e('.', Push, S.InVersionFirst),
    e('e', Push, S.InMantissaFirst), e('E', Push, S.InMantissaFirst), r(Any, Bingo, S.Base, T.Decimal)],
  /* InDecimalFirst */ [popAtEof, r(Digit, Clear, S.InDecimal), popOtherwise],
  /* InDecimal */ [r(Eof, Bingo, S.Base, T.Decimal), r(Digit, Next, S.InDecimal), e('.', Push, S.InVerVersion),
    e('e', Push, S.InMantissaFirst), e('E', Push, S.InMantissaFirst), r(Any, Bingo, S.Base, T.Decimal)],
  /* InVerVersion */ [popAtEof, r(Digit, Rerun, S.InSVerVersion, 0, Special.VerVersion), popOtherwise],
  /* InSVerVersion */ [popAtEof, r(Digit, Bingo | ClearAll, S.InUnsignedInt, T.Space), r(Any, Next)],
  /* InVersionFirst */ [popAtEof, r(Digit, Clear, S.InVersion), popOtherwise],
  /* InVersion */ [r(Eof, Bingo, S.Base, T.Version), r(Digit, Next, S.InVersion), e('.', Push, S.InVersionFirst),
    r(Any, Bingo, S.Base, T.Version)],
  /* InMantissaFirst */ [popAtEof, r(Digit, Clear, S.InMantissa), e('+', Next, S.InMantissaSign),
    e('-', Next, S.InMantissaSign), popOtherwise],
  /* InMantissaSign */ [popAtEof, r(Digit, Clear, S.InMantissa), popOtherwise],
  /* InMantissa */ [r(Eof, Bingo, S.Base, T.Scientific), r(Digit, Next, S.InMantissa),
    r(Any, Bingo, S.Base, T.Scientific)],
  /* InXMLEntityFirst */ [popAtEof, e('#', Next, S.InXMLEntityNumFirst), r(AscLetter, Next, S.InXMLEntity),
    e(':', Next, S.InXMLEntity), e('_', Next, S.InXMLEntity), popOtherwise],
  /* InXMLEntity */ [popAtEof, r(Alnum, Next, S.InXMLEntity), e(':', Next, S.InXMLEntity), e('_', Next, S.InXMLEntity),
    e('.', Next, S.InXMLEntity), e('-', Next, S.InXMLEntity), e(';', Next, S.InXMLEntityEnd), popOtherwise],
  /* InXMLEntityNumFirst */ [popAtEof, e('x', Next, S.InXMLEntityHexNumFirst), e('X', Next, S.InXMLEntityHexNumFirst),
    r(Digit, Next, S.InXMLEntityNum), popOtherwise],
  /* InXMLEntityNum */ [popAtEof, r(Digit, Next, S.InXMLEntityNum), e(';', Next, S.InXMLEntityEnd), popOtherwise],
  /* InXMLEntityHexNumFirst */ [popAtEof, r(XDigit, Next, S.InXMLEntityHexNum), popOtherwise],
  /* InXMLEntityHexNum */ [popAtEof, r(XDigit, Next, S.InXMLEntityHexNum), e(';', Next, S.InXMLEntityEnd), popOtherwise],
  /* InXMLEntityEnd */ [r(Any, Bingo | Clear, S.Base, T.XmlEntity)],
  /* InTagFirst */ [popAtEof, e('/', Push, S.InTagCloseFirst), e('!', Push, S.InCommentFirst),
    e('?', Push, S.InXMLBegin), r(AscLetter, Push, S.InTagName), e(':', Push, S.InTagName),
    e('_', Push, S.InTagName), popOtherwise],
  /* InXMLBegin */ [popAtEof, e('x', Next, S.InTag), popOtherwise],
  /* InTagCloseFirst */ [popAtEof, r(AscLetter, Next, S.InTagName), popOtherwise],
  /* InTagName */ [popAtEof, e('/', Next, S.InTagBeginEnd), e('>', Next, S.InTagEnd, 0, Special.Tags),
    r(Space, Next, S.InTag, 0, Special.Tags), r(Alnum, Next), e(':', Next), e('_', Next), e('.', Next), e('-', Next),
    popOtherwise],
  /* InTagBeginEnd */ [popAtEof, e('>', Next, S.InTagEnd), popOtherwise],
  /* InTag */ [popAtEof, e('>', Next, S.InTagEnd, 0, Special.Tags), e("'", Next, S.InTagEscapeK),
    e('"', Next, S.InTagEscapeKK), r(AscLetter, Next), r(Digit, Next), ...tagPunct,
    r(Space, Next, STAY, 0, Special.Tags), popOtherwise],
  /* InTagEscapeK */ [popAtEof, e('\\', Push, S.InTagBackSleshed), e("'", Next, S.InTag), r(Any, Next, S.InTagEscapeK)],
  /* InTagEscapeKK */ [popAtEof, e('\\', Push, S.InTagBackSleshed), e('"', Next, S.InTag), r(Any, Next, S.InTagEscapeKK)],
  /* InTagBackSleshed */ [popAtEof, r(Any, Merge)],
  /* InTagEnd */ [r(Any, Bingo | ClearAll, S.Base, T.Tag)],
  /* InCommentFirst */ [popAtEof, e('-', Next, S.InCommentLast), e('D', Next, S.InTag), e('d', Next, S.InTag),
    popOtherwise],
  /* InCommentLast */ [popAtEof, e('-', Next, S.InComment), popOtherwise],
  /* InComment */ [popAtEof, e('-', Next, S.InCloseCommentFirst), r(Any, Next)],
  /* InCloseCommentFirst */ [popAtEof, e('-', Next, S.InCloseCommentLast), r(Any, Next, S.InComment)],
  /* InCloseCommentLast */ [popAtEof, e('-', Next), e('>', Next, S.InCommentEnd), r(Any, Next, S.InComment)],
  /* InCommentEnd */ [r(Any, Bingo | ClearAll, S.Base, T.Tag)],
  /* InHostFirstDomain */ [popAtEof, r(AscLetter, Next, S.InHostDomainSecond), r(Digit, Next, S.InHost), popOtherwise],
  /* InHostDomainSecond */ [popAtEof, r(AscLetter, Next, S.InHostDomain), r(Digit, Push, S.InHost),
    e('-', Push, S.InHostFirstAN), e('_', Push, S.InHostFirstAN), e('.', Push, S.InHostFirstDomain),
    e('@', Push, S.InEmail), popOtherwise],
  /* InHostDomain */ [r(Eof, Bingo | ClearAll, S.Base, T.Host), r(AscLetter, Next, S.InHostDomain),
    r(Digit, Push, S.InHost), e(':', Push, S.InPortFirst), e('-', Push, S.InHostFirstAN),
    e('_', Push, S.InHostFirstAN), e('.', Push, S.InHostFirstDomain), e('@', Push, S.InEmail), r(Digit, Pop),
    r(StopHost, Bingo | ClearAll, S.InURLPathStart, T.Host), e('/', Push, S.InFURL),
    r(Any, Bingo | ClearAll, S.Base, T.Host)],
  /* InPortFirst */ [popAtEof, r(Digit, Next, S.InPort), popOtherwise],
  /* InPort */ [r(Eof, Bingo | ClearAll, S.Base, T.Host), r(Digit, Next, S.InPort),
    r(StopHost, Bingo | ClearAll, S.InURLPathStart, T.Host), e('/', Push, S.InFURL),
    r(Any, Bingo | ClearAll, S.Base, T.Host)],
  /* InHostFirstAN */ [popAtEof, r(Digit, Next, S.InHost), r(AscLetter, Next, S.InHost), popOtherwise],
  /* InHost */ [popAtEof, r(Digit, Next, S.InHost), r(AscLetter, Next, S.InHost), e('@', Push, S.InEmail),
    e('.', Push, S.InHostFirstDomain), e('-', Push, S.InHostFirstAN), e('_', Push, S.InHostFirstAN), popOtherwise],
  /* InEmail */ [r(StopHost, Pop), r(Host, Bingo | ClearAll, S.Base, T.Email), popOtherwise],
  /* InFileFirst */ [popAtEof, r(AscLetter, Next, S.InFile), r(Digit, Next, S.InFile), e('.', Next, S.InPathFirst),
    e('_', Next, S.InFile), e('~', Push, S.InFileTwiddle), popOtherwise],
  /* InFileTwiddle */ [popAtEof, r(AscLetter, Next, S.InFile), r(Digit, Next, S.InFile), e('_', Next, S.InFile),
    e('/', Next, S.InFileFirst), popOtherwise],
  /* InPathFirst */ [popAtEof, r(AscLetter, Next, S.InFile), r(Digit, Next, S.InFile), e('_', Next, S.InFile),
    e('.', Next, S.InPathSecond), e('/', Next, S.InFileFirst), popOtherwise],
  /* InPathFirstFirst */ [popAtEof, e('.', Next, S.InPathSecond), e('/', Next, S.InFileFirst), popOtherwise],
  /* InPathSecond */ [r(Eof, Bingo | Clear, S.Base, T.File), e('/', Next | Push, S.InFileFirst),
    e('/', Bingo | Clear, S.Base, T.File), r(Space, Bingo | Clear, S.Base, T.File), popOtherwise],
  /* InFile */ [r(Eof, Bingo, S.Base, T.File), r(AscLetter, Next, S.InFile), r(Digit, Next, S.InFile),
    e('.', Push, S.InFileNext), e('_', Next, S.InFile), e('-', Next, S.InFile), e('/', Push, S.InFileFirst),
    r(Any, Bingo, S.Base, T.File)],
  /* InFileNext */ [popAtEof, r(AscLetter, Clear, S.InFile), r(Digit, Clear, S.InFile), e('_', Clear, S.InFile),
    popOtherwise],
  /* InURLPathFirst */ [popAtEof, r(UrlChar, Next, S.InURLPath), popOtherwise],
  /* InURLPathStart */ [r(Any, Next, S.InURLPath)],
  /* InURLPath */ [r(Eof, Bingo, S.Base, T.UrlPath), r(UrlChar, Next, S.InURLPath), r(Any, Bingo, S.Base, T.UrlPath)],
  /* InFURL */ [popAtEof, r(UrlPath, Bingo | ClearAll, S.Base, T.Url, Special.FullUrl), popOtherwise],
  /* InProtocolFirst */ [popAtEof, e('/', Next, S.InProtocolSecond), popOtherwise],
  /* InProtocolSecond */ [popAtEof, e('/', Next, S.InProtocolEnd), popOtherwise],
  /* InProtocolEnd */ [r(Any, Bingo | ClearAll, S.Base, T.Protocol)],
  /* InHyphenAsciiWordFirst */ [popAtEof, r(AscLetter, Next, S.InHyphenAsciiWord), r(Alpha, Next, S.InHyphenWord),
    r(Digit, Next, S.InHyphenDigitLookahead), popOtherwise],
  /* InHyphenAsciiWord */ [r(Eof, Bingo | ClearAll, S.InParseHyphen, T.AsciiHWord, Special.Hyphen),
    r(AscLetter, Next, S.InHyphenAsciiWord), r(Alpha, Next, S.InHyphenWord), r(Digit, Next, S.InHyphenNumWord),
    e('-', Push, S.InHyphenAsciiWordFirst), r(Any, Bingo | ClearAll, S.InParseHyphen, T.AsciiHWord, Special.Hyphen)],
  /* InHyphenWordFirst */ [popAtEof, r(Alpha, Next, S.InHyphenWord), r(Digit, Next, S.InHyphenDigitLookahead),
    popOtherwise],
  /* InHyphenWord */ [r(Eof, Bingo | ClearAll, S.InParseHyphen, T.HWord, Special.Hyphen),
    r(Alpha, Next, S.InHyphenWord), r(Digit, Next, S.InHyphenNumWord), e('-', Push, S.InHyphenWordFirst),
    r(Any, Bingo | ClearAll, S.InParseHyphen, T.HWord, Special.Hyphen)],
  /* InHyphenNumWordFirst */ [popAtEof, r(Alpha, Next, S.InHyphenNumWord), r(Digit, Next, S.InHyphenDigitLookahead),
    popOtherwise],
  /* InHyphenNumWord */ [r(Eof, Bingo | ClearAll, S.InParseHyphen, T.NumHWord, Special.Hyphen),
    r(Alnum, Next, S.InHyphenNumWord), e('-', Push, S.InHyphenNumWordFirst),
    r(Any, Bingo | ClearAll, S.InParseHyphen, T.NumHWord, Special.Hyphen)],
  /* InHyphenDigitLookahead */ [popAtEof, r(Digit, Next, S.InHyphenDigitLookahead), r(Alpha, Next, S.InHyphenNumWord),
    popOtherwise],
  /* InParseHyphen */ [r(Eof, Rerun, S.Base), r(AscLetter, Next, S.InHyphenAsciiWordPart),
    r(Alpha, Next, S.InHyphenWordPart), r(Digit, Push, S.InHyphenUnsignedInt), e('-', Push, S.InParseHyphenHyphen),
    r(Any, Rerun, S.Base)],
  /* InParseHyphenHyphen */ [popAtEof, r(Alnum, Bingo | Clear, S.InParseHyphen, T.Space), popOtherwise],
  /* InHyphenWordPart */ [r(Eof, Bingo, S.Base, T.PartHWord), r(Alpha, Next, S.InHyphenWordPart),
    r(Digit, Next, S.InHyphenNumWordPart), r(Any, Bingo, S.InParseHyphen, T.PartHWord)],
  /* InHyphenAsciiWordPart */ [r(Eof, Bingo, S.Base, T.AsciiPartHWord), r(AscLetter, Next, S.InHyphenAsciiWordPart),
    r(Alpha, Next, S.InHyphenWordPart), r(Digit, Next, S.InHyphenNumWordPart),
    r(Any, Bingo, S.InParseHyphen, T.AsciiPartHWord)],
  /* InHyphenNumWordPart */ [r(Eof, Bingo, S.Base, T.NumPartHWord), r(Alnum, Next, S.InHyphenNumWordPart),
    r(Any, Bingo, S.InParseHyphen, T.NumPartHWord)],
  /* InHyphenUnsignedInt */ [popAtEof, r(Digit, Next), r(Alpha, Clear, S.InHyphenNumWordPart), popOtherwise],
]
