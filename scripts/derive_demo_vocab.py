"""Derive the compact demo vocabulary (``api/demo/vocab.json``) from ESCO and O*NET.

Usage::

    .venv/bin/python scripts/derive_demo_vocab.py [--data ../shared/data] [--out api/demo/vocab.json]

The occupation list, Arabic titles, the Arabic skill glossary, salary bands and degree fields are
curated below by hand; English alternate titles, ESCO/O*NET identifiers and skills are looked up
in the reference data. The output is deterministic (sorted keys, sorted lists).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "api" / "demo" / "vocab.json"

MAX_TOOLS = 6
MAX_ESCO = 10
MIN_SKILLS = 8
MAX_SKILLS = 20


@dataclass(frozen=True)
class Occ:
    key: str
    sector: str
    title_en: str
    title_ar: str
    esco: str | None  # ESCO preferredLabel
    onet: str | None  # O*NET-SOC code
    tools: tuple[str, ...]  # O*NET technology "Example" names, in order of preference
    ar_skills: tuple[str, ...]  # English keys into GLOSSARY
    degree: tuple[str, str] | None  # (English field, Arabic field); None = no degree required
    salary_aed: tuple[int, int]  # typical monthly band in the UAE, AED
    remote_ok: bool = False


# fmt: off
OCCUPATIONS: tuple[Occ, ...] = (
    # --- software, data, IT
    Occ("software_engineer", "it", "Software Engineer", "مهندس برمجيات", "software developer", "15-1252.00",
        ("Python", "Oracle Java", "JavaScript", "Structured query language SQL", "Git", "Docker", "Kubernetes"),
        ("software development", "programming", "databases", "problem solving"),
        ("Computer Science", "علوم الحاسوب"), (15000, 32000), True),
    Occ("web_developer", "it", "Web Developer", "مطور مواقع إلكترونية", "web developer", "15-1254.00",
        ("JavaScript", "React", "Hypertext markup language HTML", "Cascading style sheets CSS", "Node.js", "Git"),
        ("software development", "programming", "teamwork"),
        ("Computer Science", "علوم الحاسوب"), (11000, 24000), True),
    Occ("data_scientist", "it", "Data Scientist", "عالم بيانات", "data scientist", "15-2051.00",
        ("Python", "R", "Structured query language SQL", "TensorFlow", "Apache Spark", "Tableau"),
        ("data analysis", "programming", "databases"),
        ("Computer Science or Statistics", "علوم الحاسوب أو الإحصاء"), (18000, 38000), True),
    Occ("data_analyst", "it", "Data Analyst", "محلل بيانات", "data analyst", "15-2051.01",
        ("Structured query language SQL", "Microsoft Power BI", "Tableau", "Microsoft Excel", "Python"),
        ("data analysis", "databases", "communication skills"),
        ("Statistics, Economics or Computer Science", "الإحصاء أو الاقتصاد أو علوم الحاسوب"),
        (11000, 22000), True),
    Occ("network_engineer", "it", "Network Engineer", "مهندس شبكات", "ICT network engineer", "15-1241.00",
        ("Cisco Systems CiscoWorks", "Wireshark", "Border Gateway Protocol BGP", "Linux",
         "Microsoft Windows Server"),
        ("networking", "cybersecurity", "problem solving"),
        ("Computer Engineering", "هندسة الحاسوب"), (12000, 26000)),
    Occ("system_administrator", "it", "Systems Administrator", "مسؤول أنظمة", "ICT system administrator",
        "15-1244.00",
        ("Linux", "Microsoft Windows Server", "Microsoft Active Directory", "VMware", "Bash", "Microsoft Azure software"),
        ("networking", "cloud computing", "problem solving"),
        ("Information Technology", "تقنية المعلومات"), (10000, 22000), True),
    Occ("cybersecurity_engineer", "it", "Cybersecurity Engineer", "مهندس أمن سيبراني", "ICT security engineer",
        "15-1299.05",
        ("Splunk Enterprise", "Wireshark", "Linux", "Python", "Microsoft Azure software"),
        ("cybersecurity", "networking", "problem solving"),
        ("Computer Science or Information Security", "علوم الحاسوب أو أمن المعلومات"), (18000, 38000), True),
    Occ("cloud_engineer", "it", "Cloud Engineer", "مهندس حوسبة سحابية", "cloud engineer", "15-1299.08",
        ("Amazon Web Services AWS software", "Microsoft Azure software", "Kubernetes", "Docker", "IBM Terraform", "Python"),
        ("cloud computing", "networking", "programming"),
        ("Computer Science", "علوم الحاسوب"), (18000, 36000), True),
    Occ("it_support", "it", "IT Support Specialist", "أخصائي دعم فني", "ICT help desk agent", "15-1232.00",
        ("Microsoft Windows", "Microsoft Active Directory", "ServiceNow", "Microsoft Office software", "Help desk software"),
        ("customer service", "networking", "problem solving"),
        ("Information Technology", "تقنية المعلومات"), (6000, 12000)),
    Occ("it_project_manager", "it", "IT Project Manager", "مدير مشاريع تقنية المعلومات", "ICT project manager",
        "15-1299.09",
        ("Atlassian JIRA", "Microsoft Project", "Atlassian Confluence", "Microsoft Excel", "Microsoft Azure software"),
        ("project management", "leadership", "communication skills", "budgeting"),
        ("Computer Science or Business Administration", "علوم الحاسوب أو إدارة الأعمال"), (22000, 42000), True),
    Occ("ux_designer", "it", "UX/UI Designer", "مصمم تجربة المستخدم", "user experience analyst", "15-1255.00",
        ("Figma", "Adobe Illustrator", "Adobe Photoshop", "Hypertext markup language HTML"),
        ("communication skills", "problem solving", "teamwork"),
        ("Design or Human-Computer Interaction", "التصميم أو التفاعل بين الإنسان والحاسوب"), (12000, 25000), True),
    Occ("business_analyst", "it", "Business Analyst", "محلل أعمال", "business analyst", "13-1111.00",
        ("Microsoft Excel", "Microsoft Power BI", "Structured query language SQL", "Microsoft Visio", "Atlassian JIRA"),
        ("data analysis", "project management", "communication skills"),
        ("Business Administration or Information Systems", "إدارة الأعمال أو نظم المعلومات"),
        (14000, 28000), True),
    # --- finance and accounting
    Occ("accountant", "finance", "Accountant", "محاسب", "accountant", "13-2011.00",
        ("SAP software", "Oracle NetSuite", "Intuit QuickBooks", "Microsoft Excel", "Microsoft Dynamics"),
        ("accounting", "financial reporting", "vat", "budgeting"),
        ("Accounting", "المحاسبة"), (7000, 16000)),
    Occ("chartered_accountant", "finance", "Chartered Accountant", "محاسب قانوني", "financial auditor", "13-2011.00",
        ("SAP software", "Microsoft Excel", "Oracle PeopleSoft", "Tableau"),
        ("auditing", "accounting", "financial reporting", "vat"),
        ("Accounting", "المحاسبة"), (16000, 32000)),
    Occ("financial_analyst", "finance", "Financial Analyst", "محلل مالي", "financial analyst", "13-2051.00",
        ("Microsoft Excel", "Bloomberg Professional", "Microsoft Power BI", "SAP software", "Oracle Hyperion"),
        ("financial analysis", "budgeting", "data analysis", "financial reporting"),
        ("Finance or Economics", "المالية أو الاقتصاد"), (13000, 26000), True),
    Occ("financial_controller", "finance", "Financial Controller", "مراقب مالي", "financial controller", "11-3031.01",
        ("SAP software", "Oracle Hyperion", "Microsoft Excel", "Microsoft Dynamics"),
        ("financial reporting", "budgeting", "auditing", "leadership"),
        ("Accounting or Finance", "المحاسبة أو المالية"), (28000, 50000)),
    Occ("relationship_manager", "finance", "Relationship Manager", "مدير علاقات مصرفية",
        "relationship banking manager", "41-3031.00",
        ("Salesforce software", "Microsoft Excel", "Bloomberg Professional"),
        ("sales", "customer service", "negotiation", "financial analysis"),
        ("Business Administration or Finance", "إدارة الأعمال أو المالية"), (16000, 35000)),
    Occ("tax_consultant", "finance", "Tax Consultant", "مستشار ضريبي", "tax advisor", "13-2082.00",
        ("Microsoft Excel", "SAP software", "Thomson Reuters UltraTax CS", "Intuit QuickBooks"),
        ("vat", "accounting", "financial reporting"),
        ("Accounting or Taxation", "المحاسبة أو الضرائب"), (15000, 30000), True),
    Occ("payroll_specialist", "finance", "Payroll Specialist", "أخصائي رواتب", "payroll clerk", "43-3051.00",
        ("SAP software", "Microsoft Excel", "Oracle PeopleSoft", "Workday software"),
        ("payroll", "accounting", "labour law"),
        ("Accounting or Human Resources", "المحاسبة أو الموارد البشرية"), (6000, 13000)),
    # --- sales and marketing
    Occ("sales_manager", "sales", "Sales Manager", "مدير مبيعات", "sales manager", "11-2022.00",
        ("Salesforce software", "Microsoft Dynamics", "Microsoft Excel", "HubSpot software"),
        ("sales", "leadership", "negotiation", "communication skills"),
        ("Business Administration or Marketing", "إدارة الأعمال أو التسويق"), (18000, 38000)),
    Occ("sales_executive", "sales", "Sales Executive", "مندوب مبيعات", "commercial sales representative",
        "41-4012.00",
        ("Salesforce software", "Microsoft Excel", "Microsoft Dynamics"),
        ("sales", "negotiation", "customer service", "communication skills"),
        ("Business Administration", "إدارة الأعمال"), (6000, 14000)),
    Occ("business_development_manager", "sales", "Business Development Manager", "مدير تطوير الأعمال",
        "business developer", "11-2022.00",
        ("Salesforce software", "HubSpot software", "Microsoft PowerPoint", "LinkedIn"),
        ("sales", "negotiation", "leadership", "marketing"),
        ("Business Administration", "إدارة الأعمال"), (18000, 40000)),
    Occ("marketing_manager", "marketing", "Marketing Manager", "مدير تسويق", "marketing manager", "11-2021.00",
        ("Google Analytics", "HubSpot software", "Adobe Creative Cloud software", "Salesforce software"),
        ("marketing", "digital marketing", "leadership", "budgeting"),
        ("Marketing", "التسويق"), (20000, 40000), True),
    Occ("digital_marketing_specialist", "marketing", "Digital Marketing Specialist", "أخصائي تسويق رقمي",
        "digital marketing manager", "13-1161.01",
        ("Google Analytics", "Google Ads", "Facebook", "HubSpot software", "WordPress"),
        ("digital marketing", "social media", "marketing", "data analysis"),
        ("Marketing or Communications", "التسويق أو الاتصال"), (9000, 20000), True),
    Occ("real_estate_agent", "sales", "Real Estate Agent", "وسيط عقاري", "real estate agent", "41-9022.00",
        ("Salesforce software", "Microsoft Excel", "Yardi software"),
        ("sales", "negotiation", "customer service"),
        None, (6000, 25000)),
    # --- human resources
    Occ("hr_manager", "hr", "HR Manager", "مدير الموارد البشرية", "human resources manager", "11-3121.00",
        ("Workday software", "Oracle Taleo", "Oracle PeopleSoft", "Microsoft Excel"),
        ("human resources management", "labour law", "leadership", "recruitment"),
        ("Human Resources or Business Administration", "الموارد البشرية أو إدارة الأعمال"), (22000, 42000)),
    Occ("hr_officer", "hr", "HR Officer", "أخصائي موارد بشرية", "human resources officer", "13-1071.00",
        ("Workday software", "Oracle PeopleSoft", "Microsoft Excel", "Oracle Taleo"),
        ("human resources management", "labour law", "payroll", "recruitment"),
        ("Human Resources", "الموارد البشرية"), (8000, 16000)),
    Occ("talent_acquisition_specialist", "hr", "Talent Acquisition Specialist", "أخصائي استقطاب المواهب",
        "recruitment consultant", "13-1071.00",
        ("LinkedIn", "Oracle Taleo", "Workday software", "Microsoft Excel"),
        ("recruitment", "communication skills", "negotiation"),
        ("Human Resources or Psychology", "الموارد البشرية أو علم النفس"), (10000, 20000), True),
    # --- engineering
    Occ("civil_engineer", "engineering", "Civil Engineer", "مهندس مدني", "civil engineer", "17-2051.00",
        ("Autodesk AutoCAD", "Autodesk Revit", "Oracle Primavera Enterprise Project Portfolio Management",
         "Autodesk AutoCAD Civil 3D", "Bentley MicroStation"),
        ("engineering design", "site supervision", "quality control", "health and safety"),
        ("Civil Engineering", "الهندسة المدنية"), (12000, 26000)),
    Occ("mechanical_engineer", "engineering", "Mechanical Engineer", "مهندس ميكانيكي", "mechanical engineer",
        "17-2141.00",
        ("Autodesk AutoCAD", "Dassault Systemes SolidWorks", "ANSYS simulation software", "The MathWorks MATLAB"),
        ("engineering design", "quality control", "health and safety"),
        ("Mechanical Engineering", "الهندسة الميكانيكية"), (12000, 25000)),
    Occ("electrical_engineer", "engineering", "Electrical Engineer", "مهندس كهربائي", "electrical engineer",
        "17-2071.00",
        ("Autodesk AutoCAD", "ETAP", "The MathWorks MATLAB", "Microsoft Excel"),
        ("engineering design", "electrical installation", "health and safety"),
        ("Electrical Engineering", "الهندسة الكهربائية"), (12000, 26000)),
    Occ("petroleum_engineer", "energy", "Petroleum Engineer", "مهندس بترول", "petroleum engineer", "17-2171.00",
        ("Schlumberger ECLIPSE", "Schlumberger Petrel E&P", "The MathWorks MATLAB", "Microsoft Excel"),
        ("engineering design", "health and safety", "data analysis"),
        ("Petroleum Engineering", "هندسة البترول"), (22000, 45000)),
    Occ("hvac_engineer", "engineering", "HVAC Engineer", "مهندس تكييف وتبريد",
        "heating, ventilation, air conditioning engineer", "17-2141.00",
        ("Autodesk AutoCAD", "Autodesk Revit", "Trane TRACE", "Carrier Hourly Analysis Program HAP", "Microsoft Excel"),
        ("engineering design", "quality control", "site supervision"),
        ("Mechanical Engineering", "الهندسة الميكانيكية"), (10000, 22000)),
    Occ("hse_officer", "engineering", "HSE Officer", "مسؤول الصحة والسلامة والبيئة", "health and safety officer",
        "17-2111.00",
        ("Incident tracking software", "Hazard assessment software", "Root cause analysis software", "Microsoft Excel"),
        ("health and safety", "first aid", "quality control"),
        ("Occupational Health and Safety", "الصحة والسلامة المهنية"), (8000, 18000)),
    Occ("architect", "construction", "Architect", "مهندس معماري", "architect", "17-1011.00",
        ("Autodesk AutoCAD", "Autodesk Revit", "Trimble SketchUp Pro", "Adobe Photoshop", "McNeel Rhinoceros 3D"),
        ("engineering design", "project management", "communication skills"),
        ("Architecture", "الهندسة المعمارية"), (14000, 30000)),
    # --- construction
    Occ("construction_project_manager", "construction", "Construction Project Manager", "مدير مشاريع إنشاءات",
        "construction manager", "11-9021.00",
        ("Oracle Primavera Enterprise Project Portfolio Management", "Microsoft Project", "Autodesk AutoCAD",
         "Procore software"),
        ("project management", "site supervision", "contract management", "health and safety"),
        ("Civil Engineering", "الهندسة المدنية"), (28000, 55000)),
    Occ("quantity_surveyor", "construction", "Quantity Surveyor", "مساح كميات", "quantity surveyor", "13-1051.00",
        ("Autodesk AutoCAD", "Microsoft Excel", "Oracle Primavera Enterprise Project Portfolio Management"),
        ("contract management", "budgeting", "negotiation"),
        ("Quantity Surveying", "مساحة الكميات"), (10000, 22000)),
    Occ("electrician", "construction", "Electrician", "كهربائي", "electrician", "47-2111.00",
        ("Autodesk AutoCAD", "Microsoft Excel"),
        ("electrical installation", "health and safety", "teamwork"),
        None, (3000, 6500)),
    Occ("facilities_manager", "construction", "Facilities Manager", "مدير المرافق", "facilities manager",
        "11-3013.00",
        ("IBM Maximo Asset Management", "Microsoft Excel", "SAP software", "Autodesk AutoCAD"),
        ("contract management", "health and safety", "budgeting", "leadership"),
        ("Engineering or Facilities Management", "الهندسة أو إدارة المرافق"), (16000, 32000)),
    # --- healthcare
    Occ("registered_nurse", "healthcare", "Registered Nurse", "ممرض مسجل", "nurse responsible for general care",
        "29-1141.00",
        ("Epic Systems", "Cerner Millennium", "MEDITECH software"),
    ("patient care", "first aid", "teamwork"),
        ("Nursing", "التمريض"), (7000, 15000)),
    Occ("pharmacist", "healthcare", "Pharmacist", "صيدلي", "pharmacist", "29-1051.00",
        ("Epic Systems", "Cerner Millennium", "Microsoft Excel"),
    ("patient care", "customer service", "inventory management"),
        ("Pharmacy", "الصيدلة"), (12000, 22000)),
    Occ("general_practitioner", "healthcare", "General Practitioner", "طبيب عام", "general practitioner",
        "29-1215.00",
        ("Epic Systems", "Cerner Millennium", "eClinicalWorks EHR software"),
    ("patient care", "first aid", "communication skills"),
        ("Medicine (MBBS)", "الطب والجراحة"), (25000, 45000)),
    Occ("physiotherapist", "healthcare", "Physiotherapist", "أخصائي علاج طبيعي", "physiotherapist", "29-1123.00",
        ("Patient charting software", "Exercise routine creation software", "MEDITECH software"),
    ("patient care", "communication skills", "first aid"),
        ("Physiotherapy", "العلاج الطبيعي"), (10000, 20000)),
    Occ("lab_technologist", "healthcare", "Medical Laboratory Technologist", "أخصائي مختبر طبي",
        "biomedical scientist", "29-2011.00",
        ("Cerner Millennium", "Epic Systems", "Microsoft Excel"),
        ("quality control", "health and safety", "patient care"),
        ("Medical Laboratory Science", "علوم المختبرات الطبية"), (8000, 16000)),
    # --- hospitality and tourism
    Occ("hotel_manager", "hospitality", "Hotel Manager", "مدير فندق", "accommodation manager", "11-9081.00",
        ("MICROS Systems OPERA Enterprise Solution OES", "Hotel management system software", "Microsoft Excel"),
        ("hospitality", "leadership", "customer service", "budgeting"),
        ("Hospitality Management", "إدارة الضيافة"), (25000, 50000)),
    Occ("head_chef", "hospitality", "Head Chef", "رئيس طهاة", "head chef", "35-1011.00",
        ("Menu planning software", "Nutrition analysis software", "Microsoft Excel"),
        ("food safety", "leadership", "inventory management"),
        ("Culinary Arts", "فنون الطهي"), (12000, 28000)),
    Occ("front_desk_agent", "hospitality", "Front Desk Agent", "موظف استقبال",
        "hospitality establishment receptionist", "43-4081.00",
        ("Property management system PMS software", "Microsoft Office software"),
        ("customer service", "hospitality", "communication skills"),
        None, (4000, 7500)),
    Occ("travel_consultant", "hospitality", "Travel Consultant", "مستشار سفر", "travel agent", "41-3041.00",
        ("Global distribution system GDS software", "Amadeus Altea Reservation", "Microsoft Excel"),
        ("customer service", "sales", "communication skills"),
        ("Tourism Management", "إدارة السياحة"), (5500, 11000)),
    # --- logistics and supply chain
    Occ("logistics_coordinator", "logistics", "Logistics Coordinator", "منسق خدمات لوجستية",
        "logistics and distribution manager", "13-1081.00",
        ("SAP software", "Microsoft Excel", "Oracle E-Business Suite Logistics"),
        ("logistics", "inventory management", "communication skills"),
        ("Logistics or Supply Chain Management", "الخدمات اللوجستية أو إدارة سلسلة التوريد"), (7000, 14000)),
    Occ("supply_chain_manager", "logistics", "Supply Chain Manager", "مدير سلسلة التوريد", "supply chain manager",
        "11-3071.04",
        ("SAP software", "Oracle E-Business Suite Logistics", "Microsoft Excel", "Microsoft Power BI"),
        ("supply chain management", "procurement", "logistics", "leadership"),
        ("Supply Chain Management", "إدارة سلسلة التوريد"), (25000, 45000)),
    Occ("warehouse_manager", "logistics", "Warehouse Manager", "مدير مستودع", "warehouse manager", "11-3071.00",
        ("SAP software", "Warehouse management system WMS", "Microsoft Excel"),
        ("inventory management", "logistics", "health and safety", "leadership"),
        ("Logistics or Business Administration", "الخدمات اللوجستية أو إدارة الأعمال"), (12000, 24000)),
    Occ("procurement_officer", "logistics", "Procurement Officer", "مسؤول مشتريات", "purchaser", "13-1023.00",
        ("SAP software", "SAP Ariba", "Oracle E-Business Suite", "Microsoft Excel"),
        ("procurement", "negotiation", "contract management"),
        ("Supply Chain Management or Business Administration", "إدارة سلسلة التوريد أو إدارة الأعمال"),
        (9000, 18000)),
    Occ("delivery_driver", "logistics", "Delivery Driver", "سائق توصيل", "car and van delivery driver",
        "53-3033.00",
        ("Vehicle location and tracking software", "Automatic routing software"),
        ("driving", "customer service", "time management"),
        None, (2500, 4500)),
    # --- education
    Occ("secondary_teacher", "education", "Secondary School Teacher", "معلم المرحلة الثانوية",
        "secondary school teacher", "25-2031.00",
        ("Google Classroom", "Microsoft Teams", "Blackboard Learn", "Microsoft PowerPoint"),
        ("teaching", "classroom management", "english", "communication skills"),
        ("Education or a subject specialism", "التربية أو مادة التخصص"), (10000, 20000)),
    Occ("primary_teacher", "education", "Primary School Teacher", "معلم المرحلة الابتدائية",
        "primary school teacher", "25-2021.00",
        ("Google Classroom", "Microsoft Teams", "Microsoft PowerPoint"),
        ("teaching", "classroom management", "communication skills"),
        ("Education", "التربية"), (8000, 17000)),
    # --- customer service and administration
    Occ("customer_service_representative", "customer_service", "Customer Service Representative",
        "ممثل خدمة العملاء", "customer service representative", "43-4051.00",
        ("Salesforce software", "Customer relationship management CRM software", "Microsoft Excel", "Microsoft Dynamics"),
        ("customer service", "communication skills", "problem solving", "arabic"),
        None, (4500, 9000)),
    Occ("administrative_assistant", "customer_service", "Administrative Assistant", "مساعد إداري",
        "administrative assistant", "43-6014.00",
        ("Microsoft Office software", "Microsoft Excel", "Microsoft Outlook", "SAP software"),
        ("time management", "communication skills", "arabic", "english"),
        ("Business Administration", "إدارة الأعمال"), (5000, 10000)),
    Occ("operations_manager", "customer_service", "Operations Manager", "مدير العمليات", "operations manager",
        "11-1021.00",
        ("SAP software", "Microsoft Excel", "Microsoft Power BI", "Microsoft Project"),
        ("leadership", "project management", "budgeting", "quality control"),
        ("Business Administration", "إدارة الأعمال"), (25000, 45000)),
    # --- retail
    Occ("retail_sales_associate", "retail", "Retail Sales Associate", "مساعد مبيعات", "sales assistant",
        "41-2031.00",
        ("Point of sale POS software", "Inventory management systems", "Microsoft Excel"),
        ("retail sales", "customer service", "cash handling"),
        None, (3000, 6000)),
    Occ("store_manager", "retail", "Store Manager", "مدير متجر", "shop manager", "41-1011.00",
        ("Point of sale POS software", "SAP software", "Inventory management systems", "Microsoft Excel"),
        ("retail sales", "inventory management", "leadership", "visual merchandising"),
        ("Business Administration", "إدارة الأعمال"), (12000, 22000)),
    # --- aviation
    Occ("airline_pilot", "aviation", "Airline Pilot", "طيار", "airline transport pilot", "53-2011.00",
        ("Electronic aircraft information databases", "Microsoft Excel"),
        ("aviation safety", "leadership", "english", "teamwork"),
        ("Aviation", "علوم الطيران"), (40000, 75000)),
    Occ("cabin_crew", "aviation", "Cabin Crew Member", "مضيف طيران", "flight attendant", "53-2031.00",
        ("Microsoft Office software", "Microsoft Excel"),
        ("customer service", "aviation safety", "first aid", "hospitality"),
        None, (8000, 13000)),
    Occ("aircraft_maintenance_engineer", "aviation", "Aircraft Maintenance Engineer", "مهندس صيانة طائرات",
        "aircraft maintenance technician", "49-3011.00",
        ("Maintenance planning software", "Maintenance record software", "SAP software"),
        ("aircraft maintenance", "aviation safety", "quality control"),
        ("Aeronautical Engineering", "هندسة الطيران"), (15000, 30000)),
    # --- legal and government relations
    Occ("legal_counsel", "legal", "Legal Counsel", "مستشار قانوني", "corporate lawyer", "23-1011.00",
        ("LexisNexis", "Thomson Reuters Westlaw", "Microsoft Word"),
        ("legal drafting", "contract management", "negotiation", "arabic"),
        ("Law (LLB)", "القانون"), (25000, 50000)),
    Occ("government_relations_officer", "government_relations", "PRO / Government Relations Officer",
        "مسؤول العلاقات الحكومية", "public relations officer", "27-3031.00",
        ("Microsoft Excel", "Microsoft Outlook"),
        ("government relations", "arabic", "communication skills", "driving"),
        None, (6000, 13000)),
    Occ("government_relations_manager", "government_relations", "Government Relations Manager",
        "مدير العلاقات الحكومية", "public affairs consultant", "11-2032.00",
        ("Microsoft PowerPoint", "Microsoft Excel"),
        ("government relations", "public relations", "negotiation", "arabic"),
        ("Public Administration or Political Science", "الإدارة العامة أو العلوم السياسية"), (22000, 42000)),
)

# English key -> Arabic label, for Arabic job posts and CVs. ESCO labels tried, in order, for the id.
GLOSSARY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("accounting", "المحاسبة", ("accounting",)),
    ("aircraft maintenance", "صيانة الطائرات", ("maintain aircraft", "perform aircraft maintenance")),
    ("arabic", "اللغة العربية", ("Arabic",)),
    ("auditing", "التدقيق", ("auditing techniques", "audit techniques")),
    ("aviation safety", "سلامة الطيران", ("aviation safety", "airport safety regulations")),
    ("budgeting", "إعداد الميزانيات", ("manage budgets",)),
    ("cash handling", "التعامل مع النقد", ("operate cash register",)),
    ("classroom management", "إدارة الصف", ("perform classroom management",)),
    ("cloud computing", "الحوسبة السحابية", ("cloud technologies",)),
    ("communication skills", "مهارات التواصل", ("communication",)),
    ("contract management", "إدارة العقود", ("manage contracts",)),
    ("customer service", "خدمة العملاء", ("customer service",)),
    ("cybersecurity", "الأمن السيبراني", ("cyber security",)),
    ("data analysis", "تحليل البيانات", ("data analytics", "analyse data")),
    ("databases", "قواعد البيانات", ("databases", "database")),
    ("digital marketing", "التسويق الرقمي", ("digital marketing techniques",)),
    ("driving", "قيادة المركبات", ("drive vehicles",)),
    ("electrical installation", "التمديدات الكهربائية", ("install electrical wiring", "electrical wiring plans")),
    ("engineering design", "التصميم الهندسي", ("engineering principles",)),
    ("english", "اللغة الإنجليزية", ("English",)),
    ("financial analysis", "التحليل المالي", ("financial analysis",)),
    ("financial reporting", "إعداد التقارير المالية", ("prepare financial statements", "financial statements")),
    ("first aid", "الإسعافات الأولية", ("first aid", "provide first aid")),
    ("food safety", "سلامة الغذاء", ("food safety principles", "comply with food safety and hygiene")),
    ("government relations", "العلاقات الحكومية", ("liaise with government officials",)),
    ("health and safety", "الصحة والسلامة المهنية", ("health and safety regulations", "health and safety in the workplace")),
    ("hospitality", "الضيافة", ("hospitality industry", "greet guests")),
    ("human resources management", "إدارة الموارد البشرية", ("human resource management",)),
    ("inventory management", "إدارة المخزون", ("inventory management rules", "manage inventory")),
    ("labour law", "قانون العمل", ("labour legislation",)),
    ("leadership", "القيادة", ("leadership principles", "lead a team")),
    ("legal drafting", "الصياغة القانونية", ("draft legal documents", "legal terminology")),
    ("logistics", "الخدمات اللوجستية", ("logistics", "supply chain principles")),
    ("marketing", "التسويق", ("marketing principles",)),
    ("negotiation", "التفاوض", ("negotiation", "negotiate price")),
    ("networking", "الشبكات", ("ICT network routing", "design computer network")),
    ("patient care", "رعاية المرضى", ("plan nursing care",)),
    ("payroll", "إدارة الرواتب", ("manage payroll",)),
    ("problem solving", "حل المشكلات", ("create solutions to problems",)),
    ("procurement", "المشتريات", ("procurement lifecycle", "assess procurement needs")),
    ("programming", "البرمجة", ("computer programming",)),
    ("project management", "إدارة المشاريع", ("project management",)),
    ("public relations", "العلاقات العامة", ("public relations",)),
    ("quality control", "مراقبة الجودة", ("quality standards", "perform quality control analysis")),
    ("recruitment", "التوظيف واستقطاب المواهب", ("recruit employees",)),
    ("retail sales", "مبيعات التجزئة", ("sales activities", "perform sales")),
    ("sales", "المبيعات", ("sales strategies",)),
    ("site supervision", "الإشراف على المواقع", ("supervise construction site", "supervise work")),
    ("social media", "إدارة وسائل التواصل الاجتماعي", ("social media management",)),
    ("software development", "تطوير البرمجيات", ("develop software prototype", "software design methodologies")),
    ("supply chain management", "إدارة سلسلة التوريد", ("supply chain management", "supply chain principles")),
    ("teaching", "التدريس", ("teaching strategies", "apply teaching strategies")),
    ("teamwork", "العمل الجماعي", ("teamwork principles",)),
    ("time management", "إدارة الوقت", ("manage time",)),
    ("translation", "الترجمة", ("translate written texts", "translate texts")),
    ("vat", "ضريبة القيمة المضافة", ("tax legislation",)),
    ("visual merchandising", "العرض المرئي للبضائع", ("merchandising techniques",)),
)

# ESCO skill labels listed first for an occupation (they must exist in skills_en.csv); the rest
# of its ESCO skills come from occupationSkillRelations (essential first, short labels first).
ESCO_PREFER: dict[str, tuple[str, ...]] = {
    "software_engineer": (
        "computer programming", "debug software", "use software design patterns",
        "use software libraries", "ICT debugging tools", "define technical requirements",
    ),
    "network_engineer": (
        "ICT network routing", "design computer network", "implement a firewall",
        "implement a virtual private network", "forecast future ICT network needs",
    ),
    "cybersecurity_engineer": (
        "cyber security", "attack vectors", "identify ICT security risks",
        "define security policies", "manage disaster recovery plans", "execute ICT audits",
        "ICT security standards",
    ),
    "it_support": (
        "troubleshoot", "assist customers", "prioritise requests", "install software",
        "operating systems", "ICT problem management techniques",
    ),
    "civil_engineer": (
        "civil engineering", "construction methods", "use technical drawing software",
        "perform project management", "approve engineering design", "surveying",
    ),
    "electrical_engineer": (
        "electricity principles", "power engineering", "circuit diagrams", "electrical machines",
        "use CAD software", "approve engineering design",
    ),
    "mechanical_engineer": (
        "mechanical engineering", "thermodynamics", "fluid mechanics", "use CAD software",
        "adjust engineering designs",
    ),
    "hvac_engineer": (
        "ventilation systems", "refrigerants", "components of air conditioning systems",
        "design ventilation network", "thermodynamics", "assess heating and cooling systems",
    ),
    "hse_officer": (
        "draw up risk assessment", "conduct workplace audits", "prevent work accidents",
        "personal protective equipment", "incidents and accidents recording",
    ),
    "registered_nurse": (
        "plan nursing care", "implement nursing care", "infection control", "resuscitation",
        "safe management of medicines", "follow clinical guidelines",
        "use electronic health records in nursing",
    ),
    "pharmacist": (
        "dispense medicines", "pharmacology", "pharmacy law", "check information on prescriptions",
        "counsel healthcare users on medicines", "ensure pharmacovigilance",
        "participate in medical inventory control",
    ),
    "general_practitioner": (
        "general medicine", "primary care", "human anatomy", "pharmacology", "prescribe medication",
        "interpret medical results", "follow clinical guidelines", "communicate in healthcare",
        "medical terminology", "first aid",
    ),
    "physiotherapist": (
        "rehabilitation", "biomechanics", "human anatomy", "conduct physiotherapy assessment",
        "formulate a treatment plan", "therapeutic massage", "orthopaedics",
        "sport and exercise medicine",
    ),
    "lab_technologist": (
        "clinical biochemistry", "clinical microbiology", "biological haematology",
        "analyse body fluids", "label medical laboratory samples",
        "validate biomedical analysis results", "apply safety procedures in laboratory",
        "microscopic techniques",
    ),
    "airline_pilot": (
        "civil aviation regulations", "create a flight plan", "perform take off and landing",
        "aviation meteorology", "operate cockpit control panels", "air traffic control operations",
        "operate radio navigation instruments", "inspect aircraft",
    ),
    "cabin_crew": (
        "provide first aid", "carry out pre-flight duties", "common aviation safety regulations",
        "handle customer complaints", "provide food and beverages", "deliver outstanding service",
    ),
    "aircraft_maintenance_engineer": (
        "aircraft mechanics", "inspect aircraft for airworthiness",
        "common aviation safety regulations", "read engineering drawings",
        "use technical documentation", "evaluate engine performance",
    ),
    "government_relations_officer": (
        "liaise with government officials", "apply for work permits", "immigration law",
        "check official documents", "government representation", "obtain relevant licenses",
    ),
    "government_relations_manager": (
        "government representation", "manage relationships with stakeholders",
        "liaise with government officials", "government policy implementation",
    ),
    "relationship_manager": (
        "build business relationships", "financial products", "advise on investment",
        "sales strategies",
    ),
}

# Alternate titles chosen by hand among the O*NET alternate titles / ESCO altLabels of the occupation.
ALT_PREFER: dict[str, tuple[str, ...]] = {
    "cybersecurity_engineer": (
        "Cyber Security Engineer", "Information Security Engineer", "IT security consultant",
    ),
    "architect": ("Project Architect", "Design Architect", "Architectural designer"),
    "sales_executive": ("Sales Consultant", "Account Representative", "Field sales executive"),
    "relationship_manager": (
        "Relationship Banker", "Business Banking Relationship Manager", "Private banker",
    ),
    "hvac_engineer": ("HVAC site engineer", "Building services engineer", "HVAC project engineer"),
    "government_relations_officer": ("Public Affairs Officer", "Public relations coordinator"),
    "government_relations_manager": (
        "Public Affairs Director", "Communications Manager", "External relations consultant",
    ),
    "physiotherapist": (
        "Physical therapist", "Sports physiotherapist", "Registered Physical Therapist",
    ),
    "tax_consultant": ("Tax Specialist", "Tax Advisor", "Chartered tax adviser"),
    "ux_designer": ("User Experience Designer", "User Interface Designer", "Interface Designer"),
    "data_analyst": ("Business Intelligence Analyst", "Reporting Analyst", "Business Data Analyst"),
    "logistics_coordinator": (
        "Logistics Specialist", "Supply Chain Coordinator", "Distribution coordinator",
    ),
    "hse_officer": (
        "Health and Safety Specialist", "Health and safety advisor",
        "Health and Safety Coordinator",
    ),
    "cabin_crew": ("Flight Attendant", "Cabin Attendant", "Purser"),
    "hr_officer": ("Personnel Officer", "HR Advisor", "HR Associate"),
    "talent_acquisition_specialist": (
        "Corporate Recruiter", "Recruitment consultant", "Executive Recruiter",
    ),
    "supply_chain_manager": (
        "Supply Chain Operations Manager", "Supply Chain Planning Manager", "Supply Chain Director",
    ),
    "mechanical_engineer": ("Mechanical Design Engineer", "Design Engineer", "Project Engineer"),
}

# Generic or academic ESCO labels that read oddly in a Gulf job post.
ESCO_BLOCK: frozenset[str] = frozenset({
    "advise on conflict management", "analyse business plans", "apply blended learning",
    "apply for research funding", "assess character", "assist customers", "bioethics", "biophysics",
    "botany", "characteristics of products", "characteristics of services", "chemistry",
    "company policies", "conduct field work", "conduct research across disciplines",
    "control of expenses", "demonstrate disciplinary expertise", "documentation types",
    "embryology", "emergent technologies", "evaluate research activities", "fill out forms",
    "fix meetings", "follow company standards", "geographic areas", "give interviews to media",
    "handle veterinary emergencies", "have computer literacy", "have spatial awareness",
    "integrate gender dimension in research", "keep task records", "kinetics",
    "liaise with managers", "listen actively", "manage digital archives", "manage financial risk",
    "manage intellectual property rights", "manage open publications",
    "manage personal professional development", "manage research data", "manage schedule of tasks",
    "manage staff", "mathematics", "mentor individuals", "migrate existing data",
    "mobile operating systems", "monitor company policy", "operate open source software",
    "pedagogy", "perform scientific research", "physics", "process data", "process refunds",
    "product comprehension", "profile people", "promote inclusion",
    "promote open innovation in research", "promote the transfer of knowledge",
    "provide information", "psychiatry", "psychology", "publish academic research", "rhetoric",
    "sell souvenirs", "sociology", "surgery", "synthesise financial information",
    "synthesise information", "systems theory", "teach medicine", "think abstractly",
    "think proactively", "type of file", "unstructured data", "write scientific publications",
})

# O*NET "Example" -> short display label (others: see tool_label).
DISPLAY = {
    "Amazon Web Services AWS software": "AWS",
    "Autodesk AutoCAD": "AutoCAD",
    "Autodesk AutoCAD Civil 3D": "AutoCAD Civil 3D",
    "Autodesk Revit": "Revit",
    "Border Gateway Protocol BGP": "BGP",
    "Cascading style sheets CSS": "CSS",
    "Cisco Systems CiscoWorks": "Cisco networking",
    "Dassault Systemes SolidWorks": "SolidWorks",
    "Hypertext markup language HTML": "HTML",
    "Oracle Java": "Java",
    "Oracle Primavera Enterprise Project Portfolio Management": "Primavera P6",
    "Structured query language SQL": "SQL",
    "The MathWorks MATLAB": "MATLAB",
    "Trimble SketchUp Pro": "SketchUp",
    "Schlumberger Petrel E&P": "Petrel",
    "Schlumberger ECLIPSE": "ECLIPSE reservoir simulation",
    "Microsoft Azure software": "Microsoft Azure",
    "Microsoft Office software": "Microsoft Office",
    "ANSYS simulation software": "ANSYS",
    "Carrier Hourly Analysis Program HAP": "Carrier HAP",
    "McNeel Rhinoceros 3D": "Rhino 3D",
    "IBM Maximo Asset Management": "IBM Maximo",
    "IBM Terraform": "Terraform",
    "MICROS Systems OPERA Enterprise Solution OES": "Opera PMS",
    "Property management system PMS software": "Property management system (PMS)",
    "Global distribution system GDS software": "GDS reservation systems",
    "Amadeus Altea Reservation": "Amadeus",
    "Warehouse management system WMS": "WMS",
    "Vehicle location and tracking software": "GPS vehicle tracking",
    "Automatic routing software": "Route planning software",
    "Customer relationship management CRM software": "CRM software",
    "Point of sale POS software": "POS systems",
    "Thomson Reuters Westlaw": "Westlaw",
    "Bloomberg Professional": "Bloomberg Terminal",
    "Exercise routine creation software": "Exercise programme software",
    "Hotel management system software": "Hotel management systems",
}
# fmt: on

_WORD_OK = re.compile(r"^[a-z][A-Za-z ,'/-]*$")


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
        "esco": out["esco"],
        "onet": out["onet"] + ". Derived from O*NET 29.2; selected and relabelled by Tabashir.",
    }


def tool_label(example: str) -> str:
    """Display label: the DISPLAY override, else 'SAP software' -> 'SAP' (brand names only)."""
    if example in DISPLAY:
        return DISPLAY[example]
    stem = example.removesuffix(" software")
    return stem if stem != example and stem.split()[-1][:1].isupper() else example


def _strip_paren(title: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", title).strip()


def _clean_title(title: str) -> bool:
    words = title.split()
    return 1 <= len(words) <= 4 and not any(ch in title for ch in "(),;&") and len(title) <= 40


def alt_titles(
    occ: Occ,
    esco_row: dict[str, str] | None,
    onet_alts: dict[str, list[tuple[str, int]]],
    problems: list[str],
) -> list[str]:
    """2-4 English alternate titles: hand-picked ones (verified), else ranked automatically."""
    esco_alts: dict[str, str] = {}
    if esco_row:
        for alt in [*esco_row["altLabels"].splitlines(), esco_row["preferredLabel"]]:
            if alt.strip():
                esco_alts.setdefault(alt.strip().lower(), alt.strip())
    onet = {
        _strip_paren(t).lower(): (_strip_paren(t), n) for t, n in onet_alts.get(occ.onet or "", [])
    }
    if occ.key in ALT_PREFER:
        out = []
        for title in ALT_PREFER[occ.key]:
            if title.lower() not in onet and title.lower() not in esco_alts:
                problems.append(f"{occ.key}: alternate title {title!r} not in O*NET/ESCO")
            out.append(title[:1].upper() + title[1:])
        return out
    scored: dict[str, tuple[int, int, int]] = {}
    for low, (title, n_src) in onet.items():
        if low != occ.title_en.lower() and _clean_title(title):
            scored[title] = (0 if low in esco_alts else 1, -n_src, len(title))
    for low, alt in esco_alts.items():
        title = alt[:1].upper() + alt[1:]
        if low != occ.title_en.lower() and low not in onet and _clean_title(title):
            scored[title] = (2, 0, len(title))
    ranked = sorted(scored, key=lambda t: (scored[t], t))
    return ranked[:3]


def esco_skills(
    occ: Occ,
    esco_uri: str,
    relations: dict[str, list[tuple[str, str, str]]],
    skills: dict[str, dict[str, str]],
    skills_by_label: dict[str, dict[str, str]],
    limit: int,
    problems: list[str],
) -> list[dict[str, str]]:
    linked = {uri: rel for rel, _, uri in relations.get(esco_uri, [])}
    cands: list[tuple[tuple[int, int, int, str], str, str]] = []
    for rank, label in enumerate(ESCO_PREFER.get(occ.key, ())):
        row = skills_by_label.get(label)
        if row is None:
            problems.append(f"{occ.key}: preferred ESCO skill {label!r} not found")
            continue
        cands.append(((0, rank, 0, label), label, row["conceptUri"]))
    for uri, rel in linked.items():
        row = skills.get(uri)
        if row is None:
            continue
        label = row["preferredLabel"].strip()
        if (
            label in ESCO_BLOCK
            or len(label) > 40
            or len(label.split()) > 5
            or not _WORD_OK.match(label)
        ):
            continue
        cands.append(((1 if rel == "essential" else 2, 0, len(label), label), label, uri))
    cands.sort()
    out: list[dict[str, str]] = []
    for _, label, uri in cands:
        if any(s["label"] == label for s in out):
            continue
        kind = "knowledge" if skills[uri]["skillType"] == "knowledge" else "competence"
        relation = linked.get(uri, "curated")
        out.append(
            {"label": label, "type": kind, "source": "esco", "source_id": uri, "relation": relation}
        )
        if len(out) == limit:
            break
    return out


def build(data: Path) -> tuple[dict[str, Any], list[str]]:
    """Return the vocabulary and the list of lookup problems (empty when all curated names resolve)."""
    esco_dir, onet_dir = data / "esco", data / "onet"
    occ_rows = read_csv(esco_dir / "occupations_en.csv")
    esco_occ = {r["preferredLabel"]: r for r in occ_rows}
    skill_rows = read_csv(esco_dir / "skills_en.csv")
    skills_by_uri = {r["conceptUri"]: r for r in skill_rows}
    skills_by_label = {r["preferredLabel"]: r for r in skill_rows}

    wanted_uris = {esco_occ[o.esco]["conceptUri"] for o in OCCUPATIONS if o.esco in esco_occ}
    relations: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with (esco_dir / "occupationSkillRelations.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["occupationUri"] in wanted_uris:
                relations[r["occupationUri"]].append(
                    (r["relationType"], r["skillType"], r["skillUri"])
                )

    onet_titles = {
        r["O*NET-SOC Code"]: r["Title"] for r in read_tsv(onet_dir / "occupation_data.txt")
    }
    onet_alts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in read_tsv(onet_dir / "alternate_titles.txt"):
        n_src = len([s for s in r["Source(s)"].split(",") if s.strip()])
        onet_alts[r["O*NET-SOC Code"]].append((r["Alternate Title"].strip(), n_src))
    tech_by_example: dict[str, str] = {}
    tech_by_code: dict[str, set[str]] = defaultdict(set)
    for r in read_tsv(onet_dir / "technology_skills.txt"):
        tech_by_example.setdefault(r["Example"], r["Commodity Code"])
        tech_by_code[r["O*NET-SOC Code"]].add(r["Example"])

    problems: list[str] = []
    occupations: list[dict[str, Any]] = []
    glossary_keys = {g[0] for g in GLOSSARY}
    for occ in OCCUPATIONS:
        esco_row = esco_occ.get(occ.esco or "")
        if occ.esco and esco_row is None:
            problems.append(f"{occ.key}: ESCO occupation {occ.esco!r} not found")
        if occ.onet and occ.onet not in onet_titles:
            problems.append(f"{occ.key}: O*NET code {occ.onet} not found")
        skills: list[dict[str, str]] = []
        for example in occ.tools[:MAX_TOOLS]:
            commodity = tech_by_example.get(example)
            if commodity is None:
                problems.append(f"{occ.key}: O*NET technology {example!r} not found")
                continue
            skills.append(
                {
                    "label": tool_label(example),
                    "type": "tool",
                    "source": "onet",
                    "source_id": f"onet:{commodity}:{example}",
                }
            )
        if esco_row:
            limit = min(MAX_ESCO, MAX_SKILLS - len(skills))
            skills += esco_skills(
                occ,
                esco_row["conceptUri"],
                relations,
                skills_by_uri,
                skills_by_label,
                limit,
                problems,
            )
        if not MIN_SKILLS <= len(skills) <= MAX_SKILLS:
            problems.append(f"{occ.key}: {len(skills)} skills")
        for key in occ.ar_skills:
            if key not in glossary_keys:
                problems.append(f"{occ.key}: glossary key {key!r} missing")
        alts = alt_titles(occ, esco_row, onet_alts, problems)
        if len(alts) < 2:
            problems.append(f"{occ.key}: only {len(alts)} alternate titles")
        occupations.append(
            {
                "key": occ.key,
                "sector": occ.sector,
                "title_en": occ.title_en,
                "title_ar": occ.title_ar,
                "alt_titles_en": alts,
                "esco_uri": esco_row["conceptUri"] if esco_row else None,
                "esco_label": occ.esco if esco_row else None,
                "onet_code": occ.onet,
                "onet_title": onet_titles.get(occ.onet or ""),
                "skills": sorted(skills, key=lambda s: (s["type"], s["label"].lower())),
                "skills_ar": sorted(occ.ar_skills),
                "degree_en": occ.degree[0] if occ.degree else None,
                "degree_ar": occ.degree[1] if occ.degree else None,
                "salary_aed_month": list(occ.salary_aed),
                "remote_ok": occ.remote_ok,
            }
        )

    glossary = []
    for en, ar, esco_labels in GLOSSARY:
        uri = next(
            (skills_by_label[x]["conceptUri"] for x in esco_labels if x in skills_by_label), None
        )
        if uri is None:
            problems.append(f"glossary {en!r}: no ESCO label among {esco_labels}")
        glossary.append({"en": en, "ar": ar, "esco_uri": uri})

    vocab = {
        "attribution": attribution(data),
        "version": 1,
        "occupations": sorted(occupations, key=lambda o: o["key"]),
        "skill_glossary": sorted(glossary, key=lambda g: str(g["en"])),
    }
    return vocab, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    vocab, problems = build(args.data)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    text = json.dumps(vocab, ensure_ascii=False, indent=1) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out} ({len(text.encode()) // 1024} KiB, {len(vocab['occupations'])} occupations)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
