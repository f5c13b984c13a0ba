#!/usr/bin/env python3
"""Derives the compact reference tables of the workload generator (src/gen)
from the public data in ../shared/data into data/gen/tables.zip.

Usage: python3 scripts/gen_workload_tables.py [SHARED_DATA_DIR] [OUT_DIR]
(defaults: /work/shared/data, data/gen). Standard library only; the output is
byte-for-byte reproducible (sorted rows, fixed zip timestamps).

Members of tables.zip (UTF-8, tab-separated, one record per line):
  schools.tsv    ISTITUZIONE <TAB> SEDE:ORDINE:COMUNE:PUPILS[,SEDE:...]
                 one line per istituzione; state plessi are grouped by
                 province + the first four digits of the progressive (the
                 MIM numbering of plessi under their istituzione), the
                 istituzione code synthesised with its check character when
                 it is not itself a school; paritarie stand alone.
                 COMUNE is the real Belfiore code when a registry gives it,
                 else empty (the generator picks one in the province).
  classes.tsv    SEDE <TAB> ANNO SEZIONE WORDING_ID[,...] (blank-separated)
  wordings.tsv   ID <TAB> KIND <TAB> CODE <TAB> ORDINE <TAB> WORDING
                 KIND T = tempo scuola (CODE = our numeric category),
                 I = indirizzo (LIxx per REFERENCE.md, ITxx/IPxx ours)
  comuni.tsv     BELFIORE <TAB> PROVINCE <TAB> FROM <TAB> TO (yyyymmdd)
                 comuni valid at some time since 2004-01-01
  countries.tsv  WEIGHT <TAB> ZCODE (foreign states, plausible weights)
  names_m.txt, names_f.txt   first names, upper case, WEIGHT <TAB> NAME
  surnames.txt   WEIGHT <TAB> SURNAME
"""
import csv, gzip, io, json, os, re, sys, zipfile, collections

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data", "gen")

# ---- school code check character (REFERENCE.md) ----
CHK = "123456789ABCDEGLNPQRTVX"
W = [17, 5, 15, 22, 20, 14, 19, 11, 1]
L14 = dict(A=17, B=6, C=18, D=7, E=19, F=1, G=8, H=13, I=2, K=17, L=20, M=14, N=9,
           O=3, P=21, Q=10, R=22, S=15, T=11, U=4, V=0, Z=5)

def v(i, c):
    if c.isdigit():
        return int(c)
    if i < 4:
        return L14.get(c, 0)
    o = ord(c) - ord('A')
    if c <= 'I':
        return o + 1
    if c <= 'R':
        return o - 8
    return o - 16

def check_char(code9):
    return CHK[(4 + sum(w * v(i, c) for i, (w, c) in enumerate(zip(W, code9)))) % 23]

def ordine(code):
    t = code[2:4]
    if t in ("AA", "1A"):
        return "AA"
    if t in ("EE", "1E"):
        return "EE"
    if t in ("MM", "1M"):
        return "MM"
    return "SS"

def paritaria(code):
    return code[2].isdigit() or code[6:9] == "500"

# ---- schools ----
counts = {}
with open(os.path.join(SRC, "schools/dati_scuole_20242025.csv"), encoding="utf-8") as f:
    for r in csv.DictReader(f):
        n = r["NUMEROSTUDENTI"]
        counts[r["CODICESCUOLA"]] = int(n) if n.isdigit() else 2  # "<=3"
comune_of = {}
for fn in ("schools/SCUANAGRAFEPAR20232420230901.csv", "schools/SCUANAAUTSTAT20232420230901.csv"):
    with open(os.path.join(SRC, fn), encoding="utf-8", errors="replace") as f:
        for r in csv.DictReader(f):
            c = r.get("CODICECOMUNESCUOLA", "")
            if re.fullmatch(r"[A-Z]\d{3}", c):
                comune_of[r["CODICESCUOLA"]] = c

groups = collections.defaultdict(list)
alone = []
for code in sorted(counts):
    if paritaria(code):
        alone.append([code])
    else:
        groups[code[:2] + code[4:8]].append(code)

istituzioni = []
for key in sorted(groups):
    members = groups[key]
    if len(members) == 1:
        istituzioni.append((members[0], members))
        continue
    ords = {ordine(c) for c in members}
    if "SS" in ords:
        typ = "IS"
    elif "MM" in ords and (ords & {"AA", "EE"}):
        typ = "IC"
    elif ords == {"MM"}:
        typ = "MM"
    else:
        typ = "EE"
    base = key[:2] + typ + key[2:] + "0"
    istituzioni.append((base + check_char(base), members))
for m in alone:
    istituzioni.append((m[0], m))
istituzioni.sort()

schools_lines = []
for ist, members in istituzioni:
    sedi = ",".join(f"{c}:{ordine(c)}:{comune_of.get(c, '')}:{counts[c]}" for c in members)
    schools_lines.append(f"{ist}\t{sedi}")

# ---- classes and wordings ----
LI = [  # keyword tests in order -> code
    ("SCIENZE APPLICATE", "LI03"), ("SPORTIV", "LI15"), ("ECONOMICO", "LI12"),
    ("SCIENZE UMANE", "LI11"), ("CLASSICO", "LI01"), ("LINGUISTICO", "LI04"),
    ("MUSICALE", "LI13"), ("COREUTIC", "LI14"), ("ARCHITETTURA", "LI05"),
    ("ARTI FIGURATIVE", "LI06"), ("AUDIOVISIVO", "LI07"), ("DESIGN", "LI08"),
    ("GRAFICA", "LI09"), ("SCENOGRAFIA", "LI10"), ("ARTISTICO", "LI00"),
    ("SCIENTIFICO", "LI02"),
]

def tempo_category(ordo, w):
    n = [int(x) for x in re.findall(r"\d+", w)]
    if ordo == "EE":
        if 40 in n or "PIENO" in w:
            return "13"
        if 24 in n:
            return "10"
        if n and n[0] >= 30:
            return "12"
        return "11"
    # MM
    if 40 in n:
        return "22"
    if 36 in n or "PROLUNGATO" in w:
        return "21"
    return "20"

wording_ids = {}
wordings = []
it_codes, ip_codes = {}, {}

def wording_id(kind, code, ordo, w):
    k = (kind, code, ordo, w)
    if k not in wording_ids:
        wording_ids[k] = len(wordings)
        wordings.append(k)
    return wording_ids[k]

rows = []
with gzip.open(os.path.join(SRC, "schools/classi_adozioni_2023.csv.gz"), "rt", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        rows.append(r)
# stable indirizzo numbering: by frequency, then wording
freq = collections.Counter()
for r in rows:
    if r["TIPOGRADOSCUOLA"] in ("NO", "NT"):
        freq[(r["CODICESCUOLA"][2], " ".join(r["COMBINAZIONE"].split()))] += 1
for (letter, w), _ in sorted(freq.items(), key=lambda t: (-t[1], t[0])):
    if w.startswith("LICEO") or letter in "PS" and any(k in w for k, _ in LI):
        continue
    table = ip_codes if letter == "R" else it_codes
    if w not in table:
        table[w] = ("IP" if letter == "R" else "IT") + f"{len(table) + 1:02d}"

per_sede = collections.defaultdict(set)
for r in rows:
    code = r["CODICESCUOLA"]
    if code not in counts:
        continue
    w = " ".join(r["COMBINAZIONE"].split())
    anno = r["ANNOCORSO"].strip()
    sez = r["SEZIONEANNO"].strip().upper()
    if not anno.isdigit() or not re.fullmatch(r"[A-Z0-9]{1,4}", sez):
        continue
    t = r["TIPOGRADOSCUOLA"]
    if t in ("EE", "MM"):
        wid = wording_id("T", tempo_category(t, w), t, w)
    else:
        ind = None
        if w.startswith("LICEO") or code[2] == "P" or code[2] == "S":
            ind = next((c for k, c in LI if k in w), None)
        if ind is None:
            ind = (ip_codes if code[2] == "R" else it_codes).get(w)
        if ind is None:
            ind = "LI02" if code[2] == "P" else ("IP99" if code[2] == "R" else "IT99")
        wid = wording_id("I", ind, "SS", w)
    per_sede[code].add((int(anno), sez, wid))

classes_lines = []
for code in sorted(per_sede):
    cl = sorted(per_sede[code])
    classes_lines.append(code + "\t" + ",".join(f"{a} {s} {w}" for a, s, w in cl))
wordings_lines = [f"{i}\t{k}\t{c}\t{o}\t{w}" for i, (k, c, o, w) in enumerate(wordings)]

# ---- comuni ----
win = {}
with open(os.path.join(SRC, "places/ANPR_archivio_comuni.csv"), encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        code = r["CODCATASTALE"]
        a = int(r["DATAISTITUZIONE"].replace("-", ""))
        b = int(r["DATACESSAZIONE"].replace("-", ""))
        if b < 20040101 or not re.fullmatch(r"[A-Z]\d{3}", code):
            continue
        prev = win.get(code)
        if prev is None:
            win[code] = [a, b, r["SIGLAPROVINCIA"], b]
        else:
            prev[0] = min(prev[0], a)
            if b >= prev[3]:
                prev[2], prev[3] = r["SIGLAPROVINCIA"], b
            prev[1] = max(prev[1], b)
comuni_lines = [f"{c}\t{p}\t{a}\t{b}" for c, (a, b, p, _) in sorted(win.items())]

# ---- countries: plausible weights of pupils' foreign birth states ----
COUNTRY_WEIGHTS = {  # Romania, Albania, Morocco, China, Ukraine, Philippines, India, ...
    "Z129": 20, "Z100": 15, "Z330": 14, "Z210": 8, "Z138": 6, "Z216": 4, "Z222": 4,
    "Z236": 3, "Z249": 4, "Z352": 3, "Z343": 3, "Z140": 3, "Z611": 3, "Z605": 2,
    "Z335": 2, "Z336": 2, "Z148": 2, "Z118": 2, "Z112": 1, "Z110": 1, "Z404": 1,
}
with open(os.path.join(SRC, "places/countries.json"), encoding="utf-8") as f:
    countries = json.load(f)
active = {c["code"] for c in countries if c.get("active")}
countries_lines = [f"{w}\t{z}" for z, w in sorted(COUNTRY_WEIGHTS.items()) if z in active]

# ---- first names ----
ACCENTS = {"NICOLO": "NICOLÒ", "ZOE": "ZOÈ", "NOE": "NOÈ", "MOSE": "MOSÈ", "GIOSUE": "GIOSUÈ"}
POPULAR = {
    "M": "LEONARDO FRANCESCO ALESSANDRO LORENZO MATTIA ANDREA GABRIELE RICCARDO TOMMASO EDOARDO "
         "MATTEO GIUSEPPE ANTONIO FEDERICO DIEGO DAVIDE CHRISTIAN SAMUELE PIETRO GIOVANNI NICOLO "
         "ELIA MARCO LUCA SIMONE ALBERTO FILIPPO EMANUELE MICHELE GIACOMO",
    "F": "SOFIA GIULIA AURORA ALICE GINEVRA EMMA GIORGIA BEATRICE GRETA VITTORIA MARTINA CHIARA "
         "ANNA SARA NICOLE LUDOVICA MATILDE ARIANNA GAIA REBECCA ELISA FRANCESCA NOEMI ZOE "
         "CAMILLA ELENA IRENE BIANCA VIOLA ASIA",
}
with open(os.path.join(SRC, "names/names.json"), encoding="utf-8") as f:
    names = json.load(f)
name_lines = {}
for sex in ("M", "F"):
    pop = set(POPULAR[sex].split())
    out = []
    for n in sorted({x.strip().upper() for x in names[sex]}):
        if not re.fullmatch(r"[A-Z' ]+", n):
            continue
        out.append(f"{40 if n in pop else 1}\t{ACCENTS.get(n, n)}")
    name_lines[sex] = out

# ---- surnames: common Italian surnames, rough frequency rank order ----
SURNAMES = """ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO COLOMBO RICCI MARINO GRECO BRUNO GALLO
CONTI DE_LUCA MANCINI COSTA GIORDANO RIZZO LOMBARDI MORETTI BARBIERI FONTANA SANTORO MARIANI
RINALDI CARUSO FERRARA GALLI MARTINI LEONE LONGO GENTILE MARTINELLI VITALE LOMBARDO SERRA
COPPOLA DE_SANTIS D'ANGELO MARCHETTI PARISI VILLA CONTE FERRARO FERRI FABBRI BIANCO MARINI
GRASSO VALENTINI MESSINA SALA DE_ANGELIS GATTI PELLEGRINI PALUMBO SANNA FARINA RIZZI MONTI
CATTANEO MORELLI AMATO SILVESTRI MAZZA TESTA GRASSI PELLEGRINO CARBONE GIULIANI BENEDETTI
BARONE ROSSETTI CAPUTO MONTANARI GUERRA PALMIERI BERNARDI MARTINO FIORE DE_ROSA FERRETTI
BELLINI BASILE RIVA DONATI PIRAS VITALI BATTAGLIA SARTORI NERI COSTANTINI MILANI PAGANO
RUGGIERO SORRENTINO D'AMICO ORLANDO DAMICO NEGRI MANGANO CASTELLI BASSI CARBONI LUCCHESI
D'ALESSANDRO DI_STEFANO LO_RUSSO DELL'ORTO DELL'ACQUA DI_MARTINO DE_SIMONE DI_LORENZO
LA_ROSA LO_PRESTI D'AGOSTINO DELLA_VALLE DE_MARCO DI_PIETRO DEL_PRETE D'ORIA DI_BENEDETTO
ZAPPALÀ CANNAVÒ CORDÌ FERRANTE FRANCO GUIDI IACONO LUPO MARCHI MARTINI MELE MORO NOTARO
OLIVA PACE PAOLETTI PASTORE PERRONE PIAZZA PICCOLO POLITO PUGLIESE QUARTA RANIERI RAIMONDI
REALE RIGHI ROMEO ROTA RUSSI SALVI SANTINI SANTANGELO SARTI SCOTTI SERAFINI SIMONETTI
SPINELLI TAGLIAFERRI TOSI TRAVERSO VENTURA VERDI VIOLA ZANETTI ZANONI ZITO AIELLO ALBANESE
AMOROSO ANGELINI ARENA BALDI BARTOLI BELLI BELLOMO BERTOLINI BIONDI BONETTI BORRELLI
BOSCO BRAMBILLA BUSATO CALABRESE CAMPANA CANTONI CAPPELLI CARLINI CARRARA CASALI CASTAGNA
CECCHI CELLA CESARI CIRILLO COLONNA CORSI CRISTIANI CUCCHI CURCIO DAL_BEN DANIELI DONATO
FALCO FARAONE FERRI FIORENTINO FOGLIA FORTE FUMAGALLI GALLINA GAROFALO GIGLIO GIOVANNINI
GRIMALDI GUARINO IANNONE INGRAO LANZA LEONARDI LIGUORI LOMBARDINI LUCIANI MAGGI MAGRI
MANCUSO MANZONI MARRA MASSA MAZZOLA MELIS MERLO MILANESE MOLINARI MONACO MORANDI MOSCA
MUSSO NAPOLITANO NARDI NOVELLI ORLANDI PACI PALMA PANICO PAPA PARODI PASQUALI PATTI
PEDRAZZINI PEPE PERRI PIAZZA PINNA PIRAS POLI PORCU PORTA PRATI PUGLISI RAGUSA RIGHETTI
RIZZARDI ROCCA ROMANI RUSSELLO SALERNO SALVATORE SANTI SCALA SCHIAVONE SELLA SERRA
SPADA SPERANZA STEFANI TALIERCIO TEDESCO TOMASI TORRE TRIPODI TUCCI TURCO VACCARO VALLE
VECCHI VENTURINI VERONESI VIGNALI ZAMBONI ZANELLA ZANINI ZENNARO ZOPPI MELONI ATZENI
DEIANA FLORIS MURGIA CAU MULAS USAI PISU CONGIU LAI ARGIOLAS FADDA LOI MARRAS CABRAS
CUTRONE DI_GIOVANNI DE_FILIPPIS DI_NARDO D'URSO DE_VITA LO_BIANCO LA_ROCCA DI_MAIO
BERTOLDI GASPARINI HOFER PICHLER GRUBER MAIR KOFLER DELLADIO DE_NARDI ZANON BORTOLOTTI
SCARPA BOSCOLO TREVISAN BERGAMIN FAVARO BUSETTO ZANIN CARRARO BARATTO CELEGHIN""".split()
seen = set()
surnames = []
for s in SURNAMES:
    s = s.replace("_", " ")
    if s not in seen:
        seen.add(s)
        surnames.append(s)
surname_lines = [f"{max(1, 400 // (i + 4))}\t{s}" for i, s in enumerate(surnames)]

# ---- write ----
os.makedirs(OUT, exist_ok=True)
members = {
    "schools.tsv": schools_lines,
    "classes.tsv": classes_lines,
    "wordings.tsv": wordings_lines,
    "comuni.tsv": comuni_lines,
    "countries.tsv": countries_lines,
    "names_m.txt": name_lines["M"],
    "names_f.txt": name_lines["F"],
    "surnames.txt": surname_lines,
}
path = os.path.join(OUT, "tables.zip")
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for name in sorted(members):
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, ("\n".join(members[name]) + "\n").encode("utf-8"), compresslevel=9)
print(f"{path}: {os.path.getsize(path)} bytes; istituzioni {len(schools_lines)}, sedi {len(counts)}, "
      f"sedi with classes {len(classes_lines)}, wordings {len(wordings)}, comuni {len(comuni_lines)}, "
      f"surnames {len(surnames)}, names M {len(name_lines['M'])} F {len(name_lines['F'])}", file=sys.stderr)
