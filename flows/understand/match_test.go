package understand

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

var (
	loadOnce sync.Once
	loaded   *Matcher
	loadErr  error
)

func matcher(t *testing.T) *Matcher {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = Load() })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// explain shows every candidate, for failure messages.
func explain(m *Matcher, lang, text string) string {
	var parts []string
	for _, r := range m.Ranked(lang, text) {
		parts = append(parts, fmt.Sprintf("%s %.2f %v", r.Intent, r.Score, r.Matched))
	}
	if len(parts) == 0 {
		return "no candidate"
	}
	return strings.Join(parts, "; ")
}

// Realistic messages: typos, missing accents, Italian words mixed in, and
// the person's own script.
var phrasings = []struct {
	lang, text, want string
}{
	// Italian
	{"it", "come rinnovo il permesso di soggiorno?", Permits},
	{"it", "il mio permesso è scaduto cosa devo fare", PermitExpired},
	{"it", "permeso di sogiorno scaduto", PermitExpired},
	{"it", "mi serve il medico", Health},
	{"it", "sto male, ho la febre da 3 giorni", Health},
	{"it", "dove trovo un dottore per il bambino", Health},
	{"it", "codice fiscale", Documents},
	{"it", "devo fare la carta d'identita", Documents},
	{"it", "affitto casa", Housing},
	{"it", "mi hanno sfrattato, dormo per strada", Housing},
	{"it", "mio figlio deve andare a scuola", School},
	{"it", "iscrizione asilo nido per mia figlia", School},
	{"it", "voglio parlare con una persona", Human},
	{"it", "cerco lavoro come badante", Work},
	{"it", "lavoro in nero e il padrone non mi paga", Work},
	{"it", "dove posso fare un corso di italiano?", ItalianCourses},
	{"it", "ho bisogno di un avvocato per il ricorso", LegalAid},
	{"it", "voglio fare il ricongiungimento con mia moglie", FamilyReunification},
	{"it", "mio marito mi picchia", UrgentHelp},
	{"it", "non ho soldi per mangiare", SocialServices},
	{"it", "ci sono uffici vicino a me?", ServicesNearMe},
	{"it", "cambia lingua per favore", Language},
	{"it", "menu", Menu},
	{"it", "ciao", Greeting},
	{"it", "grazie mille", Thanks},
	{"it", "Ho paura, mio marito mi minaccia e ho anche il permesso scaduto e non ho casa", UrgentHelp},

	// English
	{"en", "I need a job", Work},
	{"en", "how do i renew my permesso", Permits},
	{"en", "my permit expired what do i do", PermitExpired},
	{"en", "my husband hits me", UrgentHelp},
	{"en", "where can i find a docter", Health},
	{"en", "I need the tessera sanitaria", Health},
	{"en", "i want to learn italian", ItalianCourses},
	{"en", "looking for a room to rent", Housing},
	{"en", "I need a lawyer, my asylum was rejected", LegalAid},
	{"en", "how to get codice fiscale", Documents},
	{"en", "i want to bring my wife and kids to italy", FamilyReunification},
	{"en", "can I talk to a real person", Human},
	{"en", "how do I enroll my son in school", School},
	{"en", "I have no money for food", SocialServices},
	{"en", "EMERGENCY!!!", UrgentHelp},
	{"en", "hellooo", Greeting},
	{"en", "thank you so much", Thanks},

	// French
	{"fr", "j'ai besoin d'un médecin pour mon enfant", Health},
	{"fr", "j'ai besoin d'un medecin", Health},
	{"fr", "comment renouveler mon titre de sejour", Permits},
	{"fr", "mon permesso est expiré", PermitExpired},
	{"fr", "je cherche du travail", Work},
	{"fr", "je veux apprendre l'italien", ItalianCourses},
	{"fr", "je cherche un logement a louer", Housing},
	{"fr", "mon mari me frappe", UrgentHelp},
	{"fr", "j'ai besoin d'un avocat pour ma demande d'asile", LegalAid},
	{"fr", "inscription de mon fils a l'ecole", School},
	{"fr", "ou faire le codice fiscale", Documents},
	{"fr", "je veux parler à quelqu'un", Human},
	{"fr", "bonjour", Greeting},
	{"fr", "merci beaucoup", Thanks},

	// Arabic
	{"ar", "أريد تجديد الإقامة", Permits},
	{"ar", "انتهت الاقامة تبعي", PermitExpired},
	{"ar", "أحتاج طبيب", Health},
	{"ar", "ابني مريض ونحتاج دكتور", Health},
	{"ar", "أبحث عن عمل", Work},
	{"ar", "أريد أن أتعلم اللغة الإيطالية", ItalianCourses},
	{"ar", "زوجي يضربني", UrgentHelp},
	{"ar", "أحتاج محامي", LegalAid},
	{"ar", "أبحث عن بيت للإيجار", Housing},
	{"ar", "أريد التسجيل في المدرسة لابني", School},
	{"ar", "كيف أحصل على الكوديتشي فيسكالي", Documents},
	{"ar", "أريد لم شمل عائلتي", FamilyReunification},
	{"ar", "مرحبا", Greeting},
	{"ar", "شكراً", Thanks},

	// Ukrainian
	{"uk", "де вивчати італійську мову", ItalianCourses},
	{"uk", "мені потрібен лікар", Health},
	{"uk", "шукаю роботу", Work},
	{"uk", "як продовжити дозвіл на проживання", Permits},
	{"uk", "тимчасовий захист закінчився, що робити з пермессо", TemporaryProtection},
	{"uk", "потрібна квартира в оренду", Housing},
	{"uk", "чоловік б'є мене", UrgentHelp},
	{"uk", "потрібен адвокат", LegalAid},
	{"uk", "записати дитину до школи", School},
	{"uk", "де зробити codice fiscale", Documents},
	{"uk", "хочу поговорити з оператором", Human},
	{"uk", "привіт", Greeting},
	{"uk", "дякую", Thanks},

	// Bengali, and Bengali in Latin letters
	{"bn", "আমার কাজ দরকার", Work},
	{"bn", "amar kaj dorkar", Work},
	{"bn", "আমার ডাক্তার দরকার", Health},
	{"bn", "পারমেসো রিনিউ করতে চাই", Permits},
	{"bn", "permesso soggiorno renew korbo kivabe", Permits},
	{"bn", "ইতালিয়ান ভাষা শিখতে চাই", ItalianCourses},
	{"bn", "বাসা ভাড়া খুঁজছি", Housing},
	{"bn", "আমার স্বামী আমাকে মারে", UrgentHelp},
	{"bn", "উকিল দরকার", LegalAid},
	{"bn", "বাচ্চার স্কুলে ভর্তি করাতে চাই", School},
	{"bn", "codice fiscale কিভাবে করব", Documents},
	{"bn", "আসসালামু আলাইকুম", Greeting},
	{"bn", "ধন্যবাদ", Thanks},

	// Spanish
	{"es", "necesito un médico", Health},
	{"es", "busco trabajo", Work},
	{"es", "como renuevo el permiso de residencia", Permits},
	{"es", "mi marido me pega", UrgentHelp},

	// Russian
	{"ru", "нужен врач", Health},
	{"ru", "ищу работу", Work},
	{"ru", "как продлить вид на жительство", Permits},
	{"ru", "хочу поговорить с оператором", Human},

	// Romanian
	{"ro", "caut de lucru", Work},
	{"ro", "am nevoie de un doctor", Health},
	{"ro", "cum reinnoiesc permisul de sedere", Permits},

	// Albanian
	{"sq", "kërkoj punë", Work},
	{"sq", "me duhet nje mjek", Health},
	{"sq", "si ta rinovoj lejen e qendrimit", Permits},

	// Urdu, and Roman Urdu
	{"ur", "مجھے ڈاکٹر چاہیے", Health},
	{"ur", "مجھے کام چاہیے", Work},
	{"ur", "mujhe naukri chahiye", Work},
	{"ur", "پرمیسو کی تجدید کیسے کروں", Permits},

	// Punjabi
	{"pa", "ਮੈਨੂੰ ਕੰਮ ਚਾਹੀਦਾ", Work},
	{"pa", "ਡਾਕਟਰ ਚਾਹੀਦਾ", Health},
	{"pa", "ਪਰਮੇਸੋ ਰੀਨਿਊ ਕਰਨਾ", Permits},
	{"pa", "sat sri akal ji", Greeting},

	// Chinese
	{"zh", "我想换居留", Permits},
	{"zh", "我要看医生", Health},
	{"zh", "我在找工作", Work},
	{"zh", "我想学意大利语", ItalianCourses},
	{"zh", "老公打我", UrgentHelp},

	// Filipino
	{"fil", "naghahanap ako ng trabaho", Work},
	{"fil", "kailangan ko ng doktor", Health},
	{"fil", "paano mag renew ng permesso", Permits},
	{"fil", "salamat po", Thanks},

	// Persian / Dari
	{"fa", "اجازه اقامتم را تمدید کنم", Permits},
	{"fa", "میخواهم پیش داکتر بروم", Health},
	{"fa", "دنبال کار هستم", Work},
	{"fa", "می‌خواهم زبان ایتالیایی یاد بگیرم", ItalianCourses},
	{"fa", "شوهرم مرا میزند", UrgentHelp},
	{"fa", "تشکر", Thanks},
	{"prs", "به وکیل ضرورت دارم", LegalAid},

	// Pashto
	{"ps", "زما د اوسېدو اجازه ختمه شوې", PermitExpired},
	{"ps", "زما د اوسېدو اجازه", Permits},
	{"fa", "اجازه اقامتم تمام شده", PermitExpired},
	{"prs", "کارت اقامتم تمام شده چه کنم", PermitExpired},
	{"fa", "خودم را بکشم", Crisis},
	{"ps", "ځان وژنه غواړم", Crisis},
	{"fa", "من رومانیایی هستم", EUCitizens},
	{"ps", "له اوکراین نه راغلی یم", TemporaryProtection},
	{"ps", "ډاکټر ته اړتیا لرم", Health},
	{"ps", "کار لټوم", Work},
	{"ps", "د کرایې کور غواړم", Housing},
	{"ps", "مېړه مې ما وهي", UrgentHelp},
	{"ps", "ډېره مننه", Thanks},
	{"ps", "وکيل غواړم", LegalAid}, // typed with the Arabic yeh

	// Written in another language than the chosen one.
	{"en", "أحتاج طبيب", Health},
	{"it", "আমার কাজ দরকার", Work},
	{"tl", "salamat po", Thanks},
	{"pt-BR", "preciso de um medico", Health},
}

// More messages, written as a check after the keyword files (most passed
// at once; the few that did not led to keywords added, then stayed here).
var secondRound = []struct {
	lang, text, want string
}{
	{"it", "buongiorno vorrei sapere come fare la tessera sanitaria", Health},
	{"it", "non ho il medico di base", Health},
	{"it", "mia moglie è incinta dove deve andare", Health},
	{"it", "quando devo andare in questura per le impronte", Permits},
	{"it", "ho perso il passaporto", Documents},
	{"it", "come faccio la residenza", Documents},
	{"it", "vorrei iscrivermi al cpia", ItalianCourses},
	{"it", "sto cercando un lavoro qualsiasi", Work},
	{"it", "il datore di lavoro non mi ha fatto il contratto", Work},
	{"it", "cerco una stanza in affitto a frascati", Housing},
	{"it", "il proprietario mi vuole mandare via", Housing},
	{"it", "la commissione mi ha dato il diniego", LegalAid},
	{"it", "come chiedo asilo politico", LegalAid},
	{"it", "ho bisogno dei servizi sociali", SocialServices},
	{"it", "non ho da mangiare per i miei bambini", SocialServices},
	{"it", "voglio portare i miei figli in italia", FamilyReunification},
	{"it", "aiutatemi per favore mi vuole uccidere", UrgentHelp},
	{"it", "posso parlare con un operatore?", Human},
	{"it", "dove si trova lo sportello più vicino", ServicesNearMe},
	{"it", "parli arabo?", Language},
	{"it", "iscrivere mia figlia alla scuola elementare", School},
	{"it", "ho il kit postale ma non so come compilarlo", Permits},
	{"it", "mi hanno dato la ricevuta", Permits},
	{"en", "i lost my passport", Documents},
	{"en", "my boss doesnt pay me", Work},
	{"en", "where can i study italian for free", ItalianCourses},
	{"en", "i have a bad toothache", Health},
	{"en", "my child is sick", Health},
	{"en", "i need a place to sleep tonight", Housing},
	{"en", "how can i apply for asylum", LegalAid},
	{"en", "the commission rejected me", LegalAid},
	{"en", "i want to speak with someone", Human},
	{"en", "is there an office near me", ServicesNearMe},
	{"en", "can you speak arabic", Language},
	{"en", "i want my family to come to italy", FamilyReunification},
	{"en", "my landlord wants to evict me", Housing},
	{"en", "can i get free food somewhere", SocialServices},
	{"en", "i dont have a residence permit", Permits},
	{"en", "how do i get the residenza", Documents},
	{"en", "my daughter needs to go to kindergarten", School},
	{"fr", "je n'ai pas de papiers", Permits},
	{"fr", "mon patron ne me paie pas", Work},
	{"fr", "je suis malade", Health},
	{"fr", "je veux faire venir ma famille", FamilyReunification},
	{"fr", "je cherche des cours de langue", ItalianCourses},
	{"fr", "je n'ai rien à manger", SocialServices},
	{"fr", "où est le bureau le plus proche", ServicesNearMe},
	{"fr", "j'ai perdu mon passeport", Documents},
	{"fr", "il me menace de me tuer", UrgentHelp},
	{"ar", "عندي موعد في الكويستورا", Permits},
	{"ar", "ضاع جواز سفري", Documents},
	{"ar", "ما عندي أكل لأولادي", SocialServices},
	{"ar", "أريد أن أحضر زوجتي إلى إيطاليا", FamilyReunification},
	{"ar", "صاحب البيت يريد طردي", Housing},
	{"ar", "أريد التكلم مع شخص", Human},
	{"ar", "رفضت اللجنة طلبي", LegalAid},
	{"ar", "بدي شغل", Work},
	{"ar", "وين أقرب مكتب", ServicesNearMe},
	{"ar", "أنا حامل وأحتاج طبيبة", Health},
	{"uk", "я вагітна, потрібен лікар", Health},
	{"uk", "не маю грошей на їжу", SocialServices},
	{"uk", "хочу привезти дітей до італії", FamilyReunification},
	{"uk", "де найближчий офіс", ServicesNearMe},
	{"uk", "мені відмовили в притулку", LegalAid},
	{"uk", "загубила паспорт", Documents},
	{"uk", "шукаю житло", Housing},
	{"ru", "нет денег на еду", SocialServices},
	{"ru", "где ближайший офис", ServicesNearMe},
	{"ru", "у ребенка температура", Health},
	{"ru", "хочу выучить итальянский язык", ItalianCourses},
	{"bn", "ভিসার মেয়াদ শেষ হয়ে গেছে", PermitExpired},
	{"bn", "আমার পাসপোর্ট হারিয়ে গেছে", Documents},
	{"bn", "থাকার জায়গা নেই", Housing},
	{"bn", "পরিবারকে ইতালিতে আনতে চাই", FamilyReunification},
	{"bn", "আমার জ্বর হয়েছে", Health},
	{"bn", "বেতন দেয় না মালিক", Work},
	{"bn", "kaj khujchi", Work},
	{"bn", "amar permesso renew korte hobe", Permits},
	{"es", "no tengo papeles", Permits},
	{"es", "quiero aprender italiano", ItalianCourses},
	{"es", "busco piso para alquilar", Housing},
	{"es", "necesito un abogado", LegalAid},
	{"ro", "caut o cameră de închiriat", Housing},
	{"ro", "vreau să învăț italiana", ItalianCourses},
	{"ro", "îmi trebuie un avocat", LegalAid},
	{"sq", "kam nevojë për një avokat", LegalAid},
	{"sq", "dua të mësoj italisht", ItalianCourses},
	{"sq", "kërkoj një shtëpi me qira", Housing},
	{"ur", "مجھے وکیل چاہیے", LegalAid},
	{"ur", "گھر کرائے پر چاہیے", Housing},
	{"ur", "bukhar hai doctor chahiye", Health},
	{"pa", "ਘਰ ਕਿਰਾਏ ਤੇ ਚਾਹੀਦਾ", Housing},
	{"pa", "ਵਕੀਲ ਚਾਹੀਦਾ", LegalAid},
	{"pa", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", Health},
	{"zh", "我的居留过期了", PermitExpired},
	{"zh", "我想租房子", Housing},
	{"zh", "我需要律师", LegalAid},
	{"zh", "孩子要上学", School},
	{"zh", "我想把家人接来意大利", FamilyReunification},
	{"fil", "wala akong papeles", Permits},
	{"fil", "gusto kong mag-aral ng italyano", ItalianCourses},
	{"fil", "naghahanap ako ng bahay na paupahan", Housing},
	{"fil", "kailangan ko ng abogado", LegalAid},
	{"it", "salve volevo informazioni sul rinnovo del pds", Permits},
	{"it", "dovo rinovare permeso", Permits},
	{"it", "ho bisogno del codice fiscale per lavorare", Documents},
	{"it", "la tessera sanitaria mi e scaduta", Health},
	{"it", "mio bambino ha la febbre alta", Health},
	{"it", "cerco casa x me e la mia famiglia", Housing},
	{"it", "posso avere un appuntamento con un mediatore", Human},
	{"it", "non capisco, voglio parlare con qualcuno", Human},
	{"it", "torna al menu", Menu},
	{"it", "cosa puoi fare?", Menu},
	{"it", "ke cosa devo fare per la cittadinanza", Documents},
	{"it", "vorrei imparare l'italiano ma lavoro tutto il giorno", ItalianCourses},
	{"it", "mi hanno licenziato senza motivo", Work},
	{"it", "il mio capo mi urla e non mi paga da 2 mesi", Work},
	{"it", "ho bisogno di un aiuto economico", SocialServices},
	{"it", "mio marito è violento con me e i bambini", UrgentHelp},
	{"en", "hi i need help with my documents", Documents},
	{"en", "pls i need docter urgent", Health},
	{"en", "where do i go for my fingerprints", Permits},
	{"en", "i want to change the language", Language},
	{"en", "menu please", Menu},
	{"en", "i want italian lessons", ItalianCourses},
	{"en", "they didnt pay my salary", Work},
	{"en", "im homeless", Housing},
	{"en", "how can my wife come here", FamilyReunification},
	{"en", "i need a paediatrician for my baby", Health},
	{"en", "my son needs to be registered at school", School},
	{"en", "is there a social worker", SocialServices},
	{"en", "somebody is threatening me", UrgentHelp},
	{"en", "thanks a lot", Thanks},
	{"en", "good morning", Greeting},
	{"fr", "bonjour je voudrais renouveler mon permis de séjour", Permits},
	{"fr", "ou est la questura", Permits},
	{"fr", "je veux changer la langue", Language},
	{"fr", "j'ai besoin d'aide pour trouver un travail", Work},
	{"fr", "est-ce que je peux parler avec un operateur", Human},
	{"fr", "mon fils est malade il a de la fievre", Health},
	{"fr", "comment avoir la carte d'identite", Documents},
	{"fr", "je dors dans la rue", Housing},
	{"ar", "السلام عليكم ابغى اجدد الاقامة", Permits},
	{"ar", "عندي مشكلة في الكود فيسكالي", Documents},
	{"ar", "ولدي مريض ومحتاج طبيب اطفال", Health},
	{"ar", "أبحث عن شقة للايجار في فيليتري", Housing},
	{"ar", "كيف اسجل ابني في المدرسه", School},
	{"ar", "اريد محامي لان اللجنه رفضت طلب اللجوء", LegalAid},
	{"ar", "اريد اتكلم مع واحد", Human},
	{"ar", "ابغى اتعلم ايطالي", ItalianCourses},
	{"ar", "شكرا جزيلا", Thanks},
	{"ar", "القائمة", Menu},
	{"uk", "доброго дня, як отримати кодіче фіскале", Documents},
	{"uk", "шукаю курси італійської мови для дорослих", ItalianCourses},
	{"uk", "потрібна допомога, мене бʼє чоловік", UrgentHelp},
	{"uk", "як записати сина в школу", School},
	{"uk", "де знайти сімейного лікаря", Health},
	{"uk", "змінити мову", Language},
	{"uk", "в мене закінчується посвідка", Permits},
	{"bn", "ভাই আমার পারমেসো রিনিউ করব কিভাবে", Permits},
	{"bn", "আমার বাচ্চা অসুস্থ ডাক্তার লাগবে", Health},
	{"bn", "ইতালিয়ান শিখতে চাই কোথায় ক্লাস হয়", ItalianCourses},
	{"bn", "আমার কোডিচে ফিসকালে লাগবে", Documents},
	{"bn", "বাসা খুঁজছি ভাড়ায়", Housing},
	{"bn", "আমাকে একজন উকিল লাগবে", LegalAid},
	{"bn", "ফ্যামিলি আনতে চাই ইতালিতে", FamilyReunification},
	{"bn", "ভাষা পরিবর্তন করতে চাই", Language},
	{"bn", "ami kotha bolte chai manusher sathe", Human},
	{"bn", "doctor lagbe", Health},
	{"es", "hola necesito renovar mi permiso", Permits},
	{"es", "me siento enferma", Health},
	{"es", "quiero hablar con una persona", Human},
	{"ru", "здравствуйте, как получить кодиче фискале", Documents},
	{"ru", "меня бьет муж", UrgentHelp},
	{"ru", "ищу квартиру", Housing},
	{"ro", "bună ziua, am nevoie de un medic de familie", Health},
	{"ro", "caut loc de muncă", Work},
	{"ro", "vreau să vorbesc cu cineva", Human},
	{"sq", "përshëndetje, më duhet leja e qëndrimit", Permits},
	{"sq", "kam nevojë për mjek për fëmijën", Health},
	{"sq", "faleminderit shumë", Thanks},
	{"ur", "السلام علیکم مجھے پرمیسو رینیو کروانا ہے", Permits},
	{"ur", "mujhe wakeel chahiye", LegalAid},
	{"ur", "ghar chahiye kiraye pe", Housing},
	{"pa", "ਮੈਂ ਪਰਮੇਸੋ ਰੀਨਿਊ ਕਰਵਾਉਣਾ ਹੈ", Permits},
	{"pa", "ਕੰਮ ਦੀ ਲੋੜ ਹੈ", Work},
	{"pa", "ਧੰਨਵਾਦ ਜੀ", Thanks},
	{"zh", "请问怎么办税号", Documents},
	{"zh", "我想找个律师", LegalAid},
	{"zh", "你好，我想学意大利语", ItalianCourses},
	{"zh", "我老公打我", UrgentHelp},
	{"fil", "paano mag-renew ng permesso di soggiorno", Permits},
	{"fil", "may sakit ang anak ko", Health},
	{"fil", "kailangan ko ng trabaho", Work},
	// long messages, as people write them
	{"it", "buongiorno sono arrivato in italia da 6 mesi ho fatto la domanda di asilo e ho la ricevuta ma adesso la questura mi dice che devo aspettare la commissione, posso lavorare intanto?", LegalAid},
	{"en", "hello i am from nigeria i have problem with my boyfriend he beat me every day and take my money i dont know what to do", UrgentHelp},
	{"bn", "ভাই আমি ৩ মাস ধরে কাজ করি কিন্তু মালিক বেতন দেয় না, কন্ট্রাক্ট ও নাই", Work},
	{"ur", "bhai mera permesso khatam ho gaya hai aur questura wale appointment nahi de rahe", PermitExpired},
	{"zh", "你好，我老婆在国内，我想办家庭团聚，需要什么材料", FamilyReunification},
	{"it", "sono incinta e non ho la tessera sanitaria, posso andare in ospedale?", Health},
	{"it", "dove si impara l'italiano a velletri", ItalianCourses},
	{"it", "voglio parlare italiano meglio", ItalianCourses},
	{"en", "i need stp code", Health},
	{"it", "mi serve l'avvocato gratis", LegalAid},
	// An expired permit, EU citizens, temporary protection: the narrow
	// answer wins over permits; an expired health card stays health.
	{"es", "se me venció el permiso de residencia, qué hago", PermitExpired},
	{"ro", "mi-a expirat permisul de ședere", PermitExpired},
	{"ru", "у меня истек срок внж", PermitExpired},
	{"uk", "мій дозвіл на проживання закінчився", PermitExpired},
	{"sq", "më ka skaduar leja e qëndrimit", PermitExpired},
	{"fil", "expired na ang permesso ko", PermitExpired},
	{"pa", "ਮੇਰੇ ਪਰਮਿਟ ਦੀ ਮਿਆਦ ਖਤਮ ਹੋ ਗਈ", PermitExpired},
	{"en", "my health card expired", Health},
	{"ro", "sunt cetățean român, îmi trebuie permis de ședere?", EUCitizens},
	{"it", "sono cittadino rumeno, mi serve il permesso di soggiorno?", EUCitizens},
	{"uk", "тимчасовий захист для українців", TemporaryProtection},
	{"ru", "временная защита из украины", TemporaryProtection},
	// Thoughts of suicide: urgent, whatever else the message says.
	{"it", "voglio farla finita", Crisis},
	{"it", "il permesso è scaduto e non voglio più vivere", Crisis},
	{"en", "i want to end my life", Crisis},
	{"ar", "أريد أن أموت", Crisis},
	{"uk", "хочу померти", Crisis},
	{"zh", "我想自杀", Crisis},
	{"it", "aiuto", Menu},
	{"en", "help", Menu},
	{"ar", "مساعدة", Menu},
}

func TestMatchPhrasings(t *testing.T) {
	m := matcher(t)
	for _, tc := range append(phrasings, secondRound...) {
		got, ok := m.Match(tc.lang, tc.text)
		if !ok || got.Intent != tc.want {
			t.Errorf("Match(%q, %q) = %q, %v; want %q\n\t%s", tc.lang, tc.text, got.Intent, ok, tc.want, explain(m, tc.lang, tc.text))
		}
	}
}

func TestMatchNotConfident(t *testing.T) {
	m := matcher(t)
	for _, text := range []string{
		"", "ok", "OK!", "?", "???", "...", "👍", "123", "sì", "no", "asdfghjkl", "qwerty uiop", "hhhhhhhh",
		"xkcd zzzz plop", "lol", "va bene", "si si", "boh",
	} {
		for _, lang := range []string{"it", "en", "ar", "zh"} {
			if got, ok := m.Match(lang, text); ok {
				t.Errorf("Match(%q, %q) = %q, confident; want not\n\t%s", lang, text, got.Intent, explain(m, lang, text))
			}
		}
	}
}

// Two topics in one message, neither stronger: better ask than guess.
func TestMatchAmbiguous(t *testing.T) {
	m := matcher(t)
	for _, text := range []string{"medico e lavoro", "job and doctor",
		"bonjour madame je suis maman de 3 enfants je cherche une école pour mon petit et aussi un médecin"} {
		if got, ok := m.Match("it", text); ok {
			t.Errorf("Match(%q) = %q, confident; want not\n\t%s", text, got.Intent, explain(m, "it", text))
		}
	}
}

// Violence or an emergency goes to urgent help even among other words.
func TestUrgentHelpWins(t *testing.T) {
	m := matcher(t)
	for _, tc := range []struct{ lang, text string }{
		{"en", "I need help with my permesso and a house and a job, my husband beats me"},
		{"it", "permesso scaduto, lavoro in nero, affitto, e subisco violenza"},
		{"fr", "j'ai besoin d'un logement et d'un travail, il y a de la violence à la maison"},
		{"ar", "أحتاج عمل وسكن وزوجي يضربني"},
		{"en", "emergency, I need a doctor"},
		{"uk", "потрібне житло і робота, чоловік б'є мене"},
	} {
		r := m.Ranked(tc.lang, tc.text)
		got, ok := m.Match(tc.lang, tc.text)
		if !ok || got.Intent != UrgentHelp || r[0].Intent != UrgentHelp {
			t.Errorf("Match(%q, %q) = %q, %v; want urgent-help first\n\t%s", tc.lang, tc.text, got.Intent, ok, explain(m, tc.lang, tc.text))
		}
	}
}

func TestRanked(t *testing.T) {
	m := matcher(t)
	r := m.Ranked("it", "ciao, mi serve un medico per il permesso di soggiorno")
	if len(r) < 3 {
		t.Fatalf("Ranked = %v, want at least permits, health, greeting", r)
	}
	if r[0].Intent != Permits || r[0].Matched[0] != "it:permesso di soggiorno" {
		t.Errorf("Ranked[0] = %+v, want permits with the phrase first", r[0])
	}
	for i := 1; i < len(r); i++ {
		if r[i].Score > r[i-1].Score {
			t.Errorf("Ranked not best first: %v", r)
		}
	}
	for _, x := range r {
		if x.Score <= 0 || x.Score >= 1 || len(x.Matched) == 0 {
			t.Errorf("candidate %+v: want 0 < Score < 1 and the keywords that hit", x)
		}
	}
	if r := m.Ranked("it", "ok"); len(r) != 0 {
		t.Errorf("Ranked(ok) = %v, want none", r)
	}
}

func TestMatchWeighsOwnLanguageFirst(t *testing.T) {
	m := matcher(t)
	// The same word scores more in the person's own file than as a
	// fallback or in another language's file.
	own, _ := m.Match("fr", "médecin")
	other, _ := m.Match("it", "médecin")
	if !(own.Score > other.Score) {
		t.Errorf("médecin: fr %v, it %v; want fr higher", own.Score, other.Score)
	}
	exact, _ := m.Match("it", "medico")
	typo, _ := m.Match("it", "medco")
	if !(exact.Score > typo.Score) || typo.Intent != Health {
		t.Errorf("medico %v, medco %v (%s); want exact higher, both health", exact.Score, typo.Score, typo.Intent)
	}
	if typo.Matched[0] != "it:medico~" {
		t.Errorf("medco matched %v, want it:medico~", typo.Matched)
	}
	phrase, _ := m.Match("it", "permesso di soggiorno")
	word, _ := m.Match("it", "soggiorno")
	if !(phrase.Score > word.Score) {
		t.Errorf("phrase %v, word %v; want the phrase higher", phrase.Score, word.Score)
	}
}

func TestUnderstand(t *testing.T) {
	m := matcher(t)
	if intent, ok := m.Understand("it", "affitto casa"); !ok || intent != Housing {
		t.Errorf("Understand = %q, %v", intent, ok)
	}
}

func BenchmarkMatch(b *testing.B) {
	m, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m.Match("ar", "السلام عليكم، أريد تجديد الإقامة والكوديتشي فيسكالي لأن عندي موعد في الكويستورا الأسبوع القادم")
	}
}

// Everyday words one letter away from a keyword are not read as typos.
func TestOrdinaryWordsAreNotTypos(t *testing.T) {
	m := matcher(t)
	for _, tc := range []struct{ lang, text, want string }{
		{"it", "buona notte", ""},              // not "botte" (beatings)
		{"it", "sono stanca", ""},              // not "stanza"
		{"it", "mi ricordo", ""},               // not "ricorso"
		{"it", "ciao presidio", Greeting},      // not "preside"
		{"en", "I have a sore throat", Health}, // not "threat"
		{"en", "fewer people", ""},             // not "fever"
		{"it", "per favore", ""},               // not "lavor*"
	} {
		got, ok := m.Match(tc.lang, tc.text)
		if !ok {
			got.Intent = ""
		}
		if got.Intent != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q\n\t%s", tc.lang, tc.text, got.Intent, tc.want, explain(m, tc.lang, tc.text))
		}
	}
}
