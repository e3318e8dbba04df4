"""Build the skills taxonomy (``ingestion/data/skills.json.gz``) from ESCO and O*NET.

Usage::

    .venv/bin/python scripts/build_skill_taxonomy.py [--data ../shared/data] [--out ingestion/data/skills.json.gz]

What goes in:

- every ESCO v1.1.1 skill (``esco/skills_en.csv``): id ``esco:<uuid>``, preferred label, alternative
  labels as synonyms, kind from the skill type and the language / transversal / digital collections;
- every O*NET 29.2 technology "Example" (``onet/technology_skills.txt``) that is not an ESCO skill:
  id ``onet:<slug>``, kind ``tool``, the commodity title and the Hot Technology flag. An O*NET name
  whose normalised form equals an ESCO preferred label (parenthetical qualifier dropped, e.g.
  "Python (computer programming)", optionally after dropping a vendor such as "Oracle ") is merged
  into that ESCO skill instead;
- a rarity weight per skill: ``log((N+1)/(df+1)) / log(N+1)`` where ``df`` is the number of ESCO
  occupations linked to the skill (``occupationSkillRelations.csv``), or for an O*NET-only tool the
  number of O*NET occupations listing it; 0.5 (unknown) when nothing links it;
- the curated aliases and Arabic labels below (each must resolve, or the build fails);
- ``common_words``: single-word skill names that are also ordinary English words (they occur in
  lower case in ESCO's descriptions: "Spring", "Swift", "Excel"), which the matcher only accepts
  with their own capitalisation or inside a skills list;
- ``english_words``: every word ESCO's descriptions use in lower case at least twice (the CV
  parser's test for "this is prose, not a person's name");
- ``title_words``: head nouns of ESCO and O*NET occupation titles ("engineer", "advertiser"), which
  the CV parser uses to tell a job title from a company name.

The output is deterministic (sorted, no timestamps) and keeps the ESCO and O*NET attribution lines.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "ingestion" / "data" / "skills.json.gz"
FORMAT_VERSION = 1
UNKNOWN_WEIGHT = 0.5

# Vendors dropped from an O*NET name to find the product ("Oracle Java" -> "Java").
VENDORS = (
    "Microsoft",
    "Oracle",
    "Adobe",
    "Autodesk",
    "IBM",
    "Google",
    "Amazon",
    "Apple",
    "Atlassian",
    "Apache",
    "The MathWorks",
    "Dassault Systemes",
    "Intuit",
    "Red Hat",
    "Trimble",
    "Bentley Systems",
    "Esri",
    "ESRI",
    "VMware",
    "Cisco",
    "Salesforce.com",
    "SAS Institute",
    "StataCorp",
    "Tableau Software",
)

# Curated aliases: (alias, target). A target is "esco:<preferred label>" or "onet:<Example>".
# Aliases flagged True are ambiguous words ("Oracle" the company) accepted only in a skills list.
# fmt: off
ALIASES: tuple[tuple[str, str, bool], ...] = (
    ("JS", "esco:JavaScript", False), ("javascript", "esco:JavaScript", False),
    ("Java Script", "esco:JavaScript", False), ("ECMAScript", "esco:JavaScript", False),
    ("ES6", "esco:JavaScript", False), ("Vanilla JS", "esco:JavaScript", False),
    ("TS", "esco:TypeScript", False),
    ("ReactJS", "onet:React", False), ("React.js", "onet:React", False), ("React JS", "onet:React", False),
    ("React-Native", "onet:React Native", False),
    ("Redux", "onet:React Redux", False),
    ("Node", "onet:Node.js", True), ("NodeJS", "onet:Node.js", False), ("Node JS", "onet:Node.js", False),
    ("k8s", "onet:Kubernetes", False),
    ("Postgres", "esco:PostgreSQL", False), ("Postgre SQL", "esco:PostgreSQL", False),
    ("PostgresSQL", "esco:PostgreSQL", False),
    ("ML", "esco:machine learning", False),
    ("DL", "esco:deep learning", True),
    ("AI", "esco:principles of artificial intelligence", False),
    ("Artificial Intelligence", "esco:principles of artificial intelligence", False),
    ("NLP", "esco:natural language processing", False),
    ("MS Excel", "onet:Microsoft Excel", False), ("Excel", "onet:Microsoft Excel", False),
    ("Advanced Excel", "onet:Microsoft Excel", False),
    ("AWS", "onet:Amazon Web Services AWS software", False),
    ("Amazon Web Services", "onet:Amazon Web Services AWS software", False),
    ("Amazon AWS", "onet:Amazon Web Services AWS software", False),
    ("C sharp", "esco:C#", False), ("C-sharp", "esco:C#", False), ("CSharp", "esco:C#", False),
    ("CPP", "esco:C++", False), ("C plus plus", "esco:C++", False),
    (".NET", "onet:Microsoft .NET Framework", False), ("dotnet", "onet:Microsoft .NET Framework", False),
    ("dot net", "onet:Microsoft .NET Framework", False), (".NET Framework", "onet:Microsoft .NET Framework", False),
    (".NET Core", "onet:Microsoft .NET Framework", False),
    ("ASP.NET MVC", "esco:ASP.NET", False),
    ("Power BI", "onet:Microsoft Power BI", False), ("PowerBI", "onet:Microsoft Power BI", False),
    ("SAP", "esco:SAP R3", False), ("SAP ERP", "esco:SAP R3", False),
    ("AutoCAD", "onet:Autodesk AutoCAD", False), ("Auto CAD", "onet:Autodesk AutoCAD", False),
    ("Scrum", "esco:Agile project management", False),
    ("Agile", "esco:Agile project management", False),
    ("Agile methodology", "esco:Agile project management", False),
    ("Agile methodologies", "esco:Agile project management", False),
    ("CI/CD", "onet:Continuous integration software", False),
    ("CI / CD", "onet:Continuous integration software", False),
    ("continuous integration", "onet:Continuous integration software", False),
    ("continuous delivery", "onet:Continuous integration software", False),
    ("continuous deployment", "onet:Continuous integration software", False),
    ("Golang", "onet:Go", False), ("Go lang", "onet:Go", False),
    ("R programming", "esco:R", False), ("R language", "esco:R", False),
    ("C language", "onet:C", False), ("ANSI C", "onet:C", False),
    ("Python 3", "esco:Python (computer programming)", False),
    ("Core Java", "esco:Java (computer programming)", False),
    ("Java SE", "esco:Java (computer programming)", False),
    ("J2SE", "esco:Java (computer programming)", False),
    ("Java EE", "onet:Oracle Java 2 Platform Enterprise Edition J2EE", False),
    ("HTML", "onet:Hypertext markup language HTML", False),
    ("HTML5", "onet:Hypertext markup language HTML", False),
    ("HTML 5", "onet:Hypertext markup language HTML", False),
    ("CSS3", "esco:CSS", False), ("CSS 3", "esco:CSS", False),
    ("MS SQL", "esco:SQL Server", False), ("MSSQL", "esco:SQL Server", False),
    ("MS SQL Server", "esco:SQL Server", False),
    ("Mongo", "onet:MongoDB", True), ("Mongo DB", "onet:MongoDB", False),
    ("Vue", "onet:Vue.js", False), ("VueJS", "onet:Vue.js", False), ("Vue JS", "onet:Vue.js", False),
    ("AngularJS", "esco:Angular", False), ("Angular JS", "esco:Angular", False),
    ("Angular.js", "esco:Angular", False),
    ("Spring", "onet:Spring Framework", False), ("Spring MVC", "onet:Spring Framework", False),
    ("sklearn", "onet:Scikit-learn", False), ("scikit learn", "onet:Scikit-learn", False),
    ("GNU/Linux", "onet:Linux", False),
    ("Unix", "onet:UNIX", False),
    ("Windows", "onet:Microsoft Windows", False), ("MS Windows", "onet:Microsoft Windows", False),
    ("MS Office", "onet:Microsoft Office software", False),
    ("Microsoft Office", "onet:Microsoft Office software", False),
    ("Office 365", "onet:Microsoft Office software", False),
    ("Microsoft 365", "onet:Microsoft Office software", False),
    ("MS Word", "onet:Microsoft Word", False),
    ("PowerPoint", "onet:Microsoft PowerPoint", False), ("MS PowerPoint", "onet:Microsoft PowerPoint", False),
    ("Power Point", "onet:Microsoft PowerPoint", False),
    ("Outlook", "onet:Microsoft Outlook", False), ("MS Outlook", "onet:Microsoft Outlook", False),
    ("MS Access", "onet:Microsoft Access", False),
    ("MS Project", "onet:Microsoft Project", False),
    ("Azure", "onet:Microsoft Azure software", False), ("Microsoft Azure", "onet:Microsoft Azure software", False),
    ("MS Azure", "onet:Microsoft Azure software", False),
    ("GCP", "onet:Google Cloud software", False), ("Google Cloud", "onet:Google Cloud software", False),
    ("Google Cloud Platform", "onet:Google Cloud software", False),
    ("JIRA", "onet:Atlassian JIRA", False),
    ("Confluence", "onet:Atlassian Confluence", False),
    ("Salesforce", "onet:Salesforce software", False), ("SFDC", "onet:Salesforce software", False),
    ("Photoshop", "esco:Adobe Photoshop", False),
    ("InDesign", "onet:Adobe InDesign", False),
    ("QuickBooks", "onet:Intuit QuickBooks", False), ("Quick Books", "onet:Intuit QuickBooks", False),
    ("Primavera", "onet:Oracle Primavera Enterprise Project Portfolio Management", False),
    ("Primavera P6", "onet:Oracle Primavera P6 Enterprise Portfolio Project Management", False),
    ("Revit", "onet:Autodesk Revit", False),
    ("SolidWorks", "onet:Dassault Systemes SolidWorks", False),
    ("Solid Works", "onet:Dassault Systemes SolidWorks", False),
    ("Oracle", "onet:Oracle Database", True), ("Oracle DB", "onet:Oracle Database", False),
    ("Google AdWords", "onet:Google Ads", False), ("AdWords", "onet:Google Ads", False),
    ("SEO", "esco:search engine optimisation", False),
    ("REST", "onet:RESTful API", True), ("REST API", "onet:RESTful API", False),
    ("REST APIs", "onet:RESTful API", False), ("RESTful", "onet:RESTful API", False),
    ("RESTful APIs", "onet:RESTful API", False), ("RESTful services", "onet:RESTful API", False),
    ("Microservices", "onet:Microservices Architecture", False),
    ("OOP", "esco:use object-oriented programming", False),
    ("OOPS", "esco:use object-oriented programming", False),
    ("object oriented programming", "esco:use object-oriented programming", False),
    ("Terraform", "onet:IBM Terraform", False), ("HashiCorp Terraform", "onet:IBM Terraform", False),
    ("Rails", "onet:Ruby on Rails", False), ("RoR", "onet:Ruby on Rails", False),
    ("VBA", "onet:Microsoft Visual Basic for Applications VBA", False),
    ("Excel VBA", "onet:Microsoft Visual Basic for Applications VBA", False),
    ("Spark", "onet:Apache Spark", False), ("PySpark", "onet:Apache Spark", False),
    ("Kafka", "onet:Apache Kafka", False),
    ("ERP", "onet:Enterprise resource planning ERP software", False),
    ("CRM", "esco:customer relationship management", False),
    ("IFRS", "esco:international financial reporting standards", False),
    ("SharePoint", "onet:Microsoft SharePoint", False),
    ("SPSS", "onet:IBM SPSS Statistics", False),
    ("Stata", "onet:StataCorp Stata", False),
    ("Kanban", "esco:ICT project management methodologies", False),
    ("Git", "onet:Git", False), ("GitHub", "onet:GitHub", False),
    ("Jenkins", "esco:Jenkins (tools for software configuration management)", False),
    ("Hadoop", "esco:Hadoop", False),
    ("MATLAB", "esco:MATLAB", False),
    ("communication skills", "esco:communication", False),
    ("good communication", "esco:communication", False),
    ("teamwork", "esco:teamwork principles", False), ("team work", "esco:teamwork principles", False),
    ("team player", "esco:work in teams", False),
    ("negotiation", "esco:negotiate compromises", False),
    ("negotiation skills", "esco:negotiate compromises", False),
    ("databases", "esco:database", False),
    ("leadership", "esco:leadership principles", False),
    ("leadership skills", "esco:leadership principles", False),
    ("problem solving", "esco:solve problems", False), ("problem-solving", "esco:solve problems", False),
    ("time management", "esco:manage time", False),
    ("critical thinking", "esco:think critically", False),
    ("attention to detail", "esco:attend to detail", False),
    ("creativity", "esco:think creatively", False),
    ("analytical skills", "esco:think analytically", False),
    ("data analysis", "esco:data analytics", False),
    ("financial reporting", "esco:prepare financial statements", False),
    ("budgeting", "esco:manage budgets", False),
    ("recruitment", "esco:recruit employees", False),
    ("human resources", "esco:human resource management", False),
    ("HRM", "esco:human resource management", False),
    ("digital marketing", "esco:digital marketing techniques", False),
    ("social media marketing", "esco:social media marketing techniques", False),
    ("marketing", "esco:marketing principles", False),
    ("sales", "esco:sales activities", True),
    ("cybersecurity", "esco:cyber security", False), ("cyber-security", "esco:cyber security", False),
    ("cloud computing", "esco:cloud technologies", False),
    ("UX", "esco:combine business technology with user experience", False),
)

# Arabic labels: (Arabic, target). The matcher normalises alef forms, ta marbuta, diacritics.
ARABIC: tuple[tuple[str, str], ...] = (
    ("إدارة المشاريع", "esco:project management"), ("إدارة المشروعات", "esco:project management"),
    ("خدمة العملاء", "esco:customer service"),
    ("المحاسبة", "esco:accounting"), ("مسك الدفاتر", "esco:accounting"),
    ("اللغة الإنجليزية", "esco:English"), ("الإنجليزية", "esco:English"), ("الانكليزية", "esco:English"),
    ("اللغة العربية", "esco:Arabic"), ("العربية", "esco:Arabic"),
    ("اللغة الفرنسية", "esco:French"), ("الفرنسية", "esco:French"),
    ("اللغة الهندية", "esco:Hindi"), ("الهندية", "esco:Hindi"),
    ("اللغة الأردية", "esco:Urdu"), ("الأردية", "esco:Urdu"),
    ("القيادة", "esco:leadership principles"), ("مهارات القيادة", "esco:leadership principles"),
    ("التسويق الرقمي", "esco:digital marketing techniques"),
    ("التسويق", "esco:marketing principles"),
    ("بايثون", "esco:Python (computer programming)"),
    ("جافا سكريبت", "esco:JavaScript"), ("جافاسكريبت", "esco:JavaScript"),
    ("جافا", "esco:Java (computer programming)"),
    ("إكسل", "onet:Microsoft Excel"), ("مايكروسوفت إكسل", "onet:Microsoft Excel"),
    ("مايكروسوفت أوفيس", "onet:Microsoft Office software"),
    ("أوتوكاد", "onet:Autodesk AutoCAD"),
    ("فوتوشوب", "esco:Adobe Photoshop"),
    ("باور بي آي", "onet:Microsoft Power BI"),
    ("لينكس", "onet:Linux"),
    ("التعلم الآلي", "esco:machine learning"), ("تعلم الآلة", "esco:machine learning"),
    ("التعلم العميق", "esco:deep learning"),
    ("الذكاء الاصطناعي", "esco:principles of artificial intelligence"),
    ("تحليل البيانات", "esco:data analytics"),
    ("قواعد البيانات", "esco:database"),
    ("البرمجة", "esco:computer programming"),
    ("الحوسبة السحابية", "esco:cloud technologies"),
    ("الأمن السيبراني", "esco:cyber security"),
    ("مهارات التواصل", "esco:communication"), ("التواصل", "esco:communication"),
    ("العمل الجماعي", "esco:teamwork principles"), ("العمل ضمن فريق", "esco:work in teams"),
    ("حل المشكلات", "esco:solve problems"),
    ("إدارة الوقت", "esco:manage time"),
    ("التفكير النقدي", "esco:think critically"),
    ("الاهتمام بالتفاصيل", "esco:attend to detail"),
    ("إدارة الموارد البشرية", "esco:human resource management"),
    ("الموارد البشرية", "esco:human resource management"),
    ("التوظيف", "esco:recruit employees"),
    ("إدارة سلسلة التوريد", "esco:supply chain management"),
    ("إعداد الميزانيات", "esco:manage budgets"), ("إدارة الميزانية", "esco:manage budgets"),
    ("التحليل المالي", "esco:financial analysis"),
    ("التدقيق الداخلي", "esco:internal auditing"),
    ("إعداد التقارير المالية", "esco:prepare financial statements"),
    ("المعايير الدولية لإعداد التقارير المالية", "esco:international financial reporting standards"),
    ("الإسعافات الأولية", "esco:first aid"),
    ("الصحة والسلامة المهنية", "esco:health and safety in the workplace"),
    ("التفاوض", "esco:negotiate compromises"),
    ("العلاقات العامة", "esco:public relations"),
    ("إدارة وسائل التواصل الاجتماعي", "esco:social media management"),
    ("تحسين محركات البحث", "esco:search engine optimisation"),
    ("إدارة علاقات العملاء", "esco:customer relationship management"),
    ("إدارة المخاطر", "esco:risk management"),
    ("التخطيط الاستراتيجي", "esco:strategic planning"),
    ("ريادة الأعمال", "esco:entrepreneurship"),
    ("المبيعات", "esco:sales activities"),
    ("التدريس", "esco:apply teaching strategies"),
    ("الترجمة", "esco:translate texts"),
    ("التصميم الجرافيكي", "esco:graphic design"),
)
# fmt: on

_KIND_KNOWLEDGE = "knowledge"
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")
_ACRONYM = re.compile(r"^(?=.*[A-Z])[A-Z0-9]{2,8}$")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def attribution(data: Path) -> dict[str, str]:
    """Licence/attribution column of the esco/ and onet/ rows of data/README.md."""
    out: dict[str, str] = {}
    for line in (data / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in ("`esco/`", "`onet/`"):
            out[cells[0].strip("`/")] = cells[3]
    if set(out) != {"esco", "onet"}:
        raise SystemExit("attribution rows for esco/ and onet/ not found in data/README.md")
    return {
        "esco": out["esco"] + ". Derived from ESCO v1.1.1 by Tabashir (labels regrouped).",
        "onet": out["onet"] + ". Derived from O*NET 29.2 technology skills by Tabashir.",
    }


def norm(text: str) -> str:
    """Lower-case, NFKC, tokens joined by one space: the key two labels are compared by."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    return " ".join(_TOKEN.findall(text))


def slug(name: str) -> str:
    s = name.lower().replace("c++", "cplusplus").replace("#", "sharp").replace("+", "plus")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "x"


def acronym_split(name: str) -> list[str]:
    """'Structured query language SQL' -> ['Structured query language', 'SQL'] when the final
    all-caps token abbreviates the words before it; [] otherwise ('Autodesk AutoCAD LT')."""
    words = name.split()
    if len(words) < 2 or not _ACRONYM.match(words[-1]):
        return []
    letters = [c for c in words[-1].lower() if c.isalpha()]
    if re.fullmatch(r"[IVX]+", words[-1]) or len(letters) < 2:
        return []  # "Insight II" is a version, not an abbreviation
    head = words[:-1]
    for start in range(len(head) - 1, -1, -1):
        phrase = head[start:]
        if phrase[0][:1].lower() != letters[0]:
            continue
        # Every word gives at least its initial, in order; the rest may come from inside words.
        joined = " ".join(phrase).lower()
        pos, ok = 0, True
        for ch in letters:
            pos = joined.find(ch, pos)
            if pos < 0:
                ok = False
                break
            pos += 1
        initials_used = all(
            w[:1].lower() in letters for w in phrase if w.lower() not in {"of", "and", "for", "the"}
        )
        if ok and initials_used and 2 <= len(phrase) <= len(letters) + 2:
            return [" ".join(phrase), words[-1]]
    return []


def onet_variants(name: str, common: set[str]) -> list[str]:
    """Other names an O*NET Example is written as, most specific first. A vendor-less rest that
    is one ordinary word ("Microsoft Project" -> "Project") is not a name of its own."""
    out: list[str] = []
    base = name[: -len(" software")] if name.endswith(" software") else name
    if base != name and len(base.split()) >= 1 and base[:1].isupper():
        out.append(base)
    out += acronym_split(base)
    for vendor in VENDORS:
        if base.startswith(vendor + " ") and len(base) > len(vendor) + 1:
            rest = base[len(vendor) + 1 :]
            if len(rest.split()) == 1 and rest.lower() in common:
                continue
            out.append(rest)
            out += acronym_split(rest)
    return [v for v in dict.fromkeys(out) if v and v != name]


def common_words(data: Path) -> set[str]:
    """Words ESCO's English prose uses in lower case: ordinary words, not product names."""
    counts: Counter[str] = Counter()
    for fname in ("skills_en.csv", "occupations_en.csv"):
        for row in read_csv(data / "esco" / fname):
            counts.update(re.findall(r"\b[a-z]{2,}\b", row["description"]))
    return {w for w, n in counts.items() if n >= 2}


def title_words(data: Path) -> set[str]:
    """Head nouns of occupation titles: the last word, or the word before ' of '."""
    counts: Counter[str] = Counter()
    titles: list[str] = []
    for row in read_csv(data / "esco" / "occupations_en.csv"):
        titles.append(row["preferredLabel"])
        titles += [a for a in row["altLabels"].splitlines() if a.strip()]
    titles += [r["Alternate Title"] for r in read_tsv(data / "onet" / "alternate_titles.txt")]
    titles += [r["Title"] for r in read_tsv(data / "onet" / "occupation_data.txt")]
    for title in titles:
        t = re.sub(r"\(.*?\)", " ", title.lower())
        t = re.split(r"\s(?:of|for|in|to|at|with)\s|[,/]", t)[0]
        words = re.findall(r"[a-z]+", t)
        if words:
            counts[words[-1]] += 1
    # Seen often enough to be a title head, and never a lone preposition-ish word.
    return {w for w, n in counts.items() if n >= 4 and len(w) >= 3}


def build(data: Path) -> tuple[dict[str, Any], list[str]]:
    """Return the taxonomy document and the list of problems (curated names that do not resolve)."""
    esco_dir, onet_dir = data / "esco", data / "onet"
    problems: list[str] = []
    rows = read_csv(esco_dir / "skills_en.csv")
    language = {r["conceptUri"] for r in read_csv(esco_dir / "languageSkillsCollection_en.csv")}
    transversal = {
        r["conceptUri"] for r in read_csv(esco_dir / "transversalSkillsCollection_en.csv")
    }
    digital = {r["conceptUri"] for r in read_csv(esco_dir / "digitalSkillsCollection_en.csv")}

    # Rarity: distinct occupations per skill, streamed (the file is 21 MB).
    occ_by_skill: dict[str, set[str]] = defaultdict(set)
    occupations: set[str] = set()
    with (esco_dir / "occupationSkillRelations.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            occ_by_skill[r["skillUri"]].add(r["occupationUri"])
            occupations.add(r["occupationUri"])
    n_esco = len(occupations)

    skills: dict[str, dict[str, Any]] = {}
    pref_index: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        uri = r["conceptUri"]
        sid = "esco:" + uri.rsplit("/", 1)[1]
        label = r["preferredLabel"].strip()
        if uri in language:
            kind = "language"
        elif uri in transversal or r["reuseLevel"] == "transversal":
            kind = "transversal"
        elif uri in digital and r["skillType"] == _KIND_KNOWLEDGE and label[:1].isupper():
            kind = "tool"
        elif r["skillType"] == _KIND_KNOWLEDGE:
            kind = "knowledge"
        else:
            kind = "skill"
        alts = [a.strip() for a in r["altLabels"].splitlines() if a.strip()]
        df = len(occ_by_skill.get(uri, ()))
        skills[sid] = {
            "id": sid,
            "label": label,
            "kind": kind,
            "df": df,
            "n": n_esco,
            "synonyms": {a: "alt" for a in alts if a != label},
            "sources": ["esco"],
        }
        pref_index[norm(label)].append(sid)
        stripped = _PAREN.sub("", label)
        if stripped != label:
            pref_index[norm(stripped)].append(sid)

    words = common_words(data)
    # O*NET technology names: merged into ESCO when the preferred labels agree, else new tools.
    tech = read_tsv(onet_dir / "technology_skills.txt")
    socs_by_name: dict[str, set[str]] = defaultdict(set)
    commodity: dict[str, str] = {}
    hot: dict[str, bool] = defaultdict(bool)
    for r in tech:
        name = r["Example"].strip()
        socs_by_name[name].add(r["O*NET-SOC Code"])
        commodity.setdefault(name, r["Commodity Title"].strip())
        hot[name] |= r["Hot Technology"] == "Y"
    n_onet = len({r["O*NET-SOC Code"] for r in tech})
    onet_id: dict[str, str] = {}
    used_slugs: set[str] = set()
    for name in sorted(socs_by_name):
        variants = onet_variants(name, words)
        target = None
        for cand in [name, *variants]:
            hits = sorted(set(pref_index.get(norm(cand), [])))
            if len(hits) == 1:
                target = hits[0]
                break
        if target is None:
            s = slug(name)
            while "onet:" + s in used_slugs:
                s += "-x"
            used_slugs.add("onet:" + s)
            target = "onet:" + s
            skills[target] = {
                "id": target,
                "label": name,
                "kind": "tool",
                "df": len(socs_by_name[name]),
                "n": n_onet,
                "synonyms": {},
                "sources": ["onet"],
                "category": commodity[name],
            }
        else:
            entry = skills[target]
            if "onet" not in entry["sources"]:
                entry["sources"].append("onet")
                entry["category"] = commodity[name]
            entry["synonyms"].setdefault(name, "onet")
            if entry["df"] == 0:
                entry["df"], entry["n"] = len(socs_by_name[name]), n_onet
        if hot[name]:
            skills[target]["hot"] = True
        for v in variants:
            # A bare acronym of a niche tool ("PMP", "DOE") is more often something else.
            if _ACRONYM.match(v) and not hot[name] and len(socs_by_name[name]) < 5:
                continue
            skills[target]["synonyms"].setdefault(v, "onet_variant")
        onet_id[name] = target

    def resolve(target: str) -> str | None:
        src, _, label = target.partition(":")
        if src == "onet":
            return onet_id.get(label)
        hits = sorted(set(pref_index.get(norm(label), [])))
        exact = [h for h in hits if skills[h]["label"] == label]
        found = exact or hits
        return found[0] if found else None

    aliases_out: list[list[Any]] = []
    for alias, target, ctx in ALIASES:
        found = resolve(target)
        if found is None:
            problems.append(f"alias {alias!r}: target {target!r} not found")
            continue
        aliases_out.append([alias, found, ctx])
    for ar, target in ARABIC:
        found = resolve(target)
        if found is None:
            problems.append(f"Arabic label {ar!r}: target {target!r} not found")
            continue
        aliases_out.append([ar, found, False])
        skills[found]["synonyms"].setdefault(ar, "ar")

    single = {
        s.lower()
        for e in skills.values()
        for s in [e["label"], *e["synonyms"], *(a for a, sid, _ in aliases_out if sid == e["id"])]
        if len(s.split()) == 1 and s.lower() != s
    }
    single |= {a.lower() for a, _, _ in aliases_out if len(a.split()) == 1}
    single |= {
        a.lower()
        for e in skills.values()
        for a, how in e["synonyms"].items()
        if how == "alt" and len(a.split()) == 1
    }

    out_skills = []
    for sid in sorted(skills):
        e = skills[sid]
        df, n = e["df"], e["n"]
        # Nothing links it (most language skills, many niche ones): rarity unknown, so neutral.
        weight = UNKNOWN_WEIGHT if df == 0 else math.log((n + 1) / (df + 1)) / math.log(n + 1)
        rec: dict[str, Any] = {
            "id": sid,
            "label": e["label"],
            "kind": e["kind"],
            "weight": round(weight, 4),
            # synonym -> where it came from: alt (ESCO), onet, onet_variant, ar (curated Arabic)
            "synonyms": dict(sorted(e["synonyms"].items())),
            "sources": e["sources"],
        }
        if e.get("hot"):
            rec["hot"] = True
        if e.get("category"):
            rec["category"] = e["category"]
        out_skills.append(rec)

    doc = {
        "format": FORMAT_VERSION,
        "attribution": attribution(data),
        "sources": {"esco": "ESCO v1.1.1 (English)", "onet": "O*NET 29.2 technology skills"},
        "stats": {
            "skills": len(out_skills),
            "esco_occupations": n_esco,
            "onet_occupations": n_onet,
        },
        "skills": out_skills,
        "aliases": sorted(aliases_out, key=lambda a: (a[1], a[0])),
        "common_words": sorted(single & words),
        "english_words": sorted(words),
        "title_words": sorted(title_words(data)),
    }
    return doc, problems


def write(doc: dict[str, Any], out: Path) -> int:
    """Write gzip deterministically (no file name, mtime 0); return the compressed size."""
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.getvalue())
    return len(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    doc, problems = build(args.data)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    size = write(doc, args.out)
    print(
        f"wrote {args.out} ({size / 1e6:.2f} MB, {doc['stats']['skills']} skills, "
        f"{len(doc['aliases'])} curated aliases, {len(doc['common_words'])} common words, "
        f"{len(doc['title_words'])} title words)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
