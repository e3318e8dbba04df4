"""The console's words in English and Arabic. One table, keyed by a short name; a missing
Arabic entry falls back to English (the test checks there is none)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "ar"]
LANGS: tuple[Lang, ...] = ("en", "ar")
LANG_COOKIE = "tabashir_lang"

WORDS: dict[str, tuple[str, str]] = {
    # (English, Arabic)
    "app": ("Tabashir", "تباشير"),
    "console": ("Console", "لوحة التحكم"),
    "skip": ("Skip to content", "انتقل إلى المحتوى"),
    "language": ("Language", "اللغة"),
    "switch_lang": ("العربية", "English"),
    "sign_in": ("Sign in", "تسجيل الدخول"),
    "sign_out": ("Sign out", "تسجيل الخروج"),
    "email": ("Email", "البريد الإلكتروني"),
    "password": ("Password", "كلمة المرور"),
    "code": ("Code from your authenticator app", "الرمز من تطبيق المصادقة"),
    "verify": ("Verify", "تحقق"),
    "two_factor": ("Two-factor authentication", "المصادقة الثنائية"),
    "demo_accounts": ("Demo accounts (development only)", "حسابات تجريبية (بيئة التطوير فقط)"),
    "demo_password": ("Password for every demo account", "كلمة المرور لكل الحسابات التجريبية"),
    "role": ("Role", "الدور"),
    "mailbox": ("Mailbox", "صندوق البريد"),
    "mailbox_intro": (
        "Every email the product sent, as delivered through the outbox (development only).",
        "كل رسالة أرسلها النظام عبر صندوق الصادر (بيئة التطوير فقط).",
    ),
    "no_mail": ("No email yet.", "لا توجد رسائل بعد."),
    "to": ("To", "إلى"),
    "subject": ("Subject", "الموضوع"),
    "date": ("Date", "التاريخ"),
    "back": ("Back", "رجوع"),
    "home": ("Home", "الرئيسية"),
    "my_cvs": ("My CVs", "سيري الذاتية"),
    "upload_cv": ("Upload a CV", "رفع سيرة ذاتية"),
    "cv_file": (
        "CV file (PDF, Word or text, 2 MB at most)",
        "ملف السيرة (PDF أو Word أو نص، 2 ميغابايت كحد أقصى)",
    ),
    "upload": ("Upload", "رفع"),
    "uploading": ("Uploading…", "جارٍ الرفع…"),
    "no_cvs": (
        "No CV yet: upload one to see jobs ranked for you.",
        "لا توجد سيرة ذاتية بعد: ارفع واحدة لترى الوظائف المناسبة لك.",
    ),
    "parsed_cv": ("Your CV as we read it", "سيرتك الذاتية كما قرأناها"),
    "name": ("Name", "الاسم"),
    "phone": ("Phone", "الهاتف"),
    "location": ("Location", "الموقع"),
    "title": ("Title", "المسمى"),
    "summary": ("Summary", "الملخص"),
    "experience": ("Experience", "الخبرة"),
    "education": ("Education", "التعليم"),
    "skills": ("Skills", "المهارات"),
    "languages": ("Languages", "اللغات"),
    "years": ("Years of experience", "سنوات الخبرة"),
    "status": ("Status", "الحالة"),
    "view": ("View", "عرض"),
    "jobs": ("Jobs", "الوظائف"),
    "recommended": ("Recommended for you", "وظائف مقترحة لك"),
    "search": ("Search", "بحث"),
    "search_jobs": ("Search jobs", "ابحث عن وظائف"),
    "keywords": ("Keywords", "كلمات البحث"),
    "city": ("City", "المدينة"),
    "any": ("Any", "الكل"),
    "results": ("results", "نتيجة"),
    "score": ("Match", "التوافق"),
    "matched_skills": ("Skills you have", "مهارات لديك"),
    "missing_skills": ("Skills to add", "مهارات تنقصك"),
    "reasons": ("Why", "السبب"),
    "apply": ("Apply", "تقدّم"),
    "applied": ("Applied", "تم التقديم"),
    "applications": ("My applications", "طلباتي"),
    "no_applications": ("No application yet.", "لا توجد طلبات بعد."),
    "stage": ("Stage", "المرحلة"),
    "applied_on": ("Applied on", "تاريخ التقديم"),
    "job": ("Job", "الوظيفة"),
    "company": ("Company", "الشركة"),
    "no_jobs": ("No job found.", "لم يتم العثور على وظائف."),
    "my_jobs": ("My jobs", "وظائفي"),
    "applicants": ("Applicants", "المتقدمون"),
    "ranked_applicants": ("Applicants ranked by fit", "المتقدمون مرتبون حسب التوافق"),
    "no_applicants": ("No applicant yet.", "لا يوجد متقدمون بعد."),
    "move_to": ("Move to stage", "انقل إلى المرحلة"),
    "move": ("Move", "نقل"),
    "users": ("Users", "المستخدمون"),
    "type": ("Type", "النوع"),
    "active": ("Active", "نشط"),
    "yes": ("yes", "نعم"),
    "no": ("no", "لا"),
    "audit_log": ("Audit log", "سجل التدقيق"),
    "needs_2fa": (
        "This needs two-factor authentication turned on for your account.",
        "يتطلب هذا تفعيل المصادقة الثنائية لحسابك.",
    ),
    "not_allowed": ("You may not see this page.", "لا يمكنك عرض هذه الصفحة."),
    "error": ("Something went wrong", "حدث خطأ"),
    "bad_login": ("Wrong email or password.", "البريد الإلكتروني أو كلمة المرور غير صحيحة."),
    "saved": ("Done.", "تم."),
    "credits": ("Applications left today", "الطلبات المتبقية اليوم"),
    "sign_up": ("Create an account", "إنشاء حساب"),
    "no_account": ("No account yet?", "ليس لديك حساب؟"),
    "check_email": (
        "If this email can be registered, we have sent a link to confirm it. Open it, then sign in.",
        "إذا كان من الممكن تسجيل هذا البريد فقد أرسلنا رابطاً لتأكيده. افتحه ثم سجّل الدخول.",
    ),
    "password_rule": ("At least 10 characters", "10 أحرف على الأقل"),
    "correct_cv": ("Correct your CV", "صحّح سيرتك الذاتية"),
    "headline": ("Headline", "المسمى المهني"),
    "skills_hint": ("Comma-separated", "مفصولة بفواصل"),
    "save": ("Save", "حفظ"),
    "export": ("Download your CV", "تنزيل سيرتك الذاتية"),
    "format": ("Format", "الصيغة"),
    "layout": ("Layout language", "لغة التنسيق"),
    "english": ("English", "الإنجليزية"),
    "arabic": ("Arabic", "العربية"),
    "download": ("Download", "تنزيل"),
    "type_CANDIDATE": ("Candidate", "مرشح"),
    "type_RECRUITER": ("Recruiter", "مسؤول توظيف"),
    "type_ADMIN": ("Administrator", "مدير"),
    "save_job": ("Save", "حفظ الوظيفة"),
    "saved_jobs": ("Saved jobs", "الوظائف المحفوظة"),
    "is_saved": ("Saved", "محفوظة"),
    "no_saved": ("No saved job yet.", "لا توجد وظائف محفوظة بعد."),
    "notifications": ("Notifications", "الإشعارات"),
    "no_notifications": ("No notification yet.", "لا توجد إشعارات بعد."),
    "mark_all_read": ("Mark all as read", "تعليم الكل كمقروء"),
    "unread": ("unread", "غير مقروء"),
    "new": ("New", "جديد"),
    "stage_applied": ("Applied", "تم التقديم"),
    "stage_screening": ("Screening", "الفرز"),
    "stage_interview": ("Interview", "المقابلة"),
    "stage_offer": ("Offer", "العرض"),
    "stage_hired": ("Hired", "التوظيف"),
    "stage_rejected": ("Rejected", "مرفوض"),
    "stage_withdrawn": ("Withdrawn", "منسحب"),
}


def translate(lang: Lang, key: str) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "ar" else pair[0]


def pick_lang(query: str | None, cookie: str | None, accept: str | None) -> Lang:
    for value in (query, cookie):
        if value in LANGS:
            return value
    if accept and accept.strip().lower().startswith("ar"):
        return "ar"
    return "en"
