"""
names.py - name pools and spelling systems for the synthetic identities of bench/match/gen.py.

Every identity is synthetic: given names and surnames are drawn independently from pools of
common names of a region, so no combination stands for a real person. Pools are listed in rough
order of popularity (the generator draws them with Zipf-like weights) and then extended with
surnames built the way the region builds them (patronymic suffixes, Turkish compounds, Arabic
nisbas), so that a list of a million entries has the long tail of a real one.

Cultures and their spellings:
  sh  Serbian / Montenegrin / Croatian names: Latin with diacritics; Serbian Cyrillic as the script
      form; romanisations: plain ASCII (Đ as D), MRZ style (Đ as DJ), English phonetic (Ć as CH).
  bs  Bosniak names: as sh.
  sq  Albanian names (Albania, Kosovo): Latin with Ë and Ç; Serbian Cyrillic transcription as the
      script form (Kosovo's Yugoslav-era documents); ASCII, English and Serbian-Latin spellings.
  tr  Turkish: Latin with Ş Ç Ğ I Ö Ü; ASCII, German (OE, UE, SCH) and English (SH, CH) spellings.
  ru  Russian: canonical Cyrillic; ICAO 9303 (2013), Russian passport 1997, BGN/PCGN popular,
      German and French romanisations.
  ua  Ukrainian: canonical Cyrillic; Ukraine's national system (2010) and the Soviet-era
      Russian-style one (Г as G, И as I).
  ar  Arabic: Arabic script plus the romanisations seen on documents (English, French / Maghreb,
      Egyptian G for ج ...).
  fa  Persian / Dari / Pashto (Afghanistan, Iran): Perso-Arabic script plus romanisations.
  ur  Pakistan: Urdu script plus romanisations.
  bn  Bangladesh: romanisations only (Md as the documents' abbreviation of Mohammad).
  hi  India: romanisations only.
"""

import unicodedata

# ---------------------------------------------------------------------------------------------
# Pools. Latin cultures: one name per entry. Script cultures: "SCRIPT=Form1|Form2|..." with the
# most usual romanisation first.

SH_MALE = """Marko Nikola Stefan Luka Milan Aleksandar Miloš Nemanja Dragan Zoran Đorđe Dušan
Petar Jovan Vuk Goran Bojan Darko Dejan Ivan Vladimir Nenad Srđan Željko Predrag Slobodan Milorad
Miroslav Dragoljub Radomir Vladan Uroš Filip Lazar Ognjen Andrija Vasilije Mihailo Danilo Veljko
Branislav Velibor Budimir Radovan Momčilo Živko Novak Rade Ljubomir Saša Igor Mladen Vojislav
Siniša Nebojša Božidar Čedomir Dalibor Žarko Ratko Ranko Blagoje Đuro Tomislav Krsto Savo Veselin""".split()
SH_FEMALE = """Milica Jelena Ana Marija Ivana Jovana Teodora Sara Anđela Dragana Snežana Vesna
Gordana Tijana Aleksandra Nataša Ljiljana Biljana Danijela Ksenija Milena Dušica Slađana Tamara
Katarina Nevena Jasmina Bojana Marina Nikolina Sanja Olivera Radmila Zorica Svetlana Mirjana
Branka Vera Dragica Stanislava Đurđa Žaklina Tatjana Ljubica Nada Jagoda Mila Nina Lana Dunja""".split()
SH_SURNAME = """Jovanović Petrović Nikolić Marković Đorđević Stojanović Ilić Stanković Pavlović
Milošević Popović Vujović Radulović Đukanović Kovačević Vuković Perović Bulatović Lazović Šćepanović
Radović Mijatović Kneževic Božović Vučinić Lakić Bošković Mitrović Živković Tomić Janković Todorović
Đurović Obradović Ristić Simić Lukić Kostić Savić Milovanović Vasić Mladenović Filipović Novaković
Stevanović Gajić Rakočević Vlahović Krivokapić Ivanović Bojović Šarić Ćirović Ćulafić Raičević
Radonjić Zeković Nikčević Dragović Mićunović Bećirović Pejović Jokić Vučković Dedović Kaluđerović
Begović Čađenović Medojević Drašković Šaranović Šoć Kalezić Tošković Vešović Bulajić Pejanović
Cvijović Knežević Ražnatović Nenezić Mugoša Đurišić Ćetković Ostojić Dabović Marić Babić Jurić
Horvat Kovač Novak Knežević Vukčević Žižić Gazivoda Lalić Jakšić Popadić Mrdak Čolović Delić""".split()
SH_STEMS = """Petr Mark Jovan Nikol Stoj Mil Radul Drag Vuk Bog Lazar Simon Mihail Andr Stev Vas
Stan Rad Brank Zor Mlad Tod Vel Gaj Ljub Dobr Bor Dan Mat Pav Ranđel Živ Đur Đok Žark Sav Ćir Mić
Čed Vid Vlad Mir Voj Zdrav Pej Kost Luk Mitr Vesel Obrad Krst Trif Spas Raj Miš Prok Bajč Bulat
Ćet Perv Petk Ristan Stamen Stojk Tanas Tih Tom Zlat Grad Vojin Novak Milut Dimitr Prvul Jakš""".split()
SH_SUFFIXES = ["ović", "ević", "ić", "anović", "ičević"]

BS_MALE = """Amar Emir Adnan Haris Kenan Armin Mirza Senad Edin Nedim Tarik Almir Muhamed Ahmed Hamza
Sead Jasmin Damir Elvir Samir Mustafa Enes Dženan Benjamin Faruk Nermin Alen Safet Ismet Hasan
Husein Omer Mehmed Suad Zlatan Vahid Fikret Muhidin Izet Šemsudin Ćamil Rešad Bećir Kemal""".split()
BS_FEMALE = """Amina Lejla Emina Ajla Selma Merima Azra Naida Džana Ajša Sabina Adisa Alma Amra Belma
Elma Emira Nermina Fatima Hana Irma Jasmina Lamija Medina Mersiha Sanela Šejla Zehra Edina Aida""".split()
BS_SURNAME = """Hodžić Hadžić Mehmedović Begović Delić Hasanović Husić Omerović Alić Selimović Mujić
Salihović Ibrahimović Halilović Muratović Suljić Šabić Zukić Mehić Avdić Hasić Osmanović Memić
Bajrić Ramić Šehić Kurtović Čolić Softić Hajdarević Bećirović Hamzić Imamović Karić Kadrić Dedić
Fazlić Jusufović Džaferović Smajlović Tahirović Hukić Muminović Ćosić Bešić Spahić Kovačević""".split()

SQ_MALE = """Arben Arian Besnik Blerim Dritan Ermal Fatmir Gëzim Ilir Kastriot Leutrim Valon Visar
Agron Bujar Driton Fisnik Granit Jetmir Lulzim Mentor Shpëtim Artan Florian Erion Arbër Bekim
Besim Burim Dardan Edmond Fatos Genc Gjergj Hysen Isuf Kujtim Mërgim Nderim Perparim Qazim Rexhep
Sokol Tahir Xhevdet Ylber Zenel Flamur Shkëlqim Armend Alban Ardian Avni Behar Çlirim""".split()
SQ_FEMALE = """Arta Blerta Drita Elira Fjolla Genta Jonida Kaltrina Mimoza Teuta Vjosa Besa Dafina
Edona Lindita Albana Ardita Valbona Vlora Qëndresa Arbëresha Donika Elona Flutura Hana Jehona Liridona
Merita Nora Rina Shqipe Vesa Xhemile Zana Blerina Diellza Erza Gresa Lirie Mirela""".split()
SQ_SURNAME = """Hoxha Krasniqi Berisha Gashi Shala Morina Kelmendi Hasani Rama Bytyqi Dervishi Leka
Çela Shehu Kola Lika Dushku Basha Hyseni Ahmeti Mustafa Rexhepi Xhaferi Thaçi Zeka Gjoka Prenga
Marku Gjoni Dema Lleshi Kryeziu Bajrami Sadiku Halili Osmani Jashari Mehmeti Musliu Selimi Ismaili
Haxhiu Sylejmani Avdiu Beqiri Zogaj Ukaj Gjonaj Nikaj Lulaj Dedaj Rugova Limani Veseli Hajdari
Sejdiu Tahiri Kastrati Bajraktari Topalli Çollaku Gjokaj Qosja Kurti Hoti Kuçi Dibra Frashëri""".split()
SQ_STEMS = """Gjon Prek Mark Nik Ded Lul Zog Uk Pal Gjok Kol Lek Ndo Mirash Tom Vuk Gjel Ivezaj Lesh
Hasan Ibrah Ism Osm Rexh Sel Hal Bajr Mehm Sadik Shaqir Qerim Xhem Beq Sherif Zenel Hyse Ram""".split()
SQ_SUFFIXES = ["aj", "i", "iu", "ku", "ollari"]

TR_MALE = """Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Ramazan
Halil Süleyman Abdullah Mahmut Recep Fatih Emre Burak Serkan Kemal Cem Çağlar Oğuz Gökhan Uğur
Şükrü Yasin Hakan Erkan Kadir Orhan Tuncay Volkan Selim Barış Tolga Ercan Levent Sinan Özgür""".split()
TR_FEMALE = """Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve Özlem
Gülsüm Esra Büşra Derya Şeyma Aysel Gülay Hülya Songül Dilek Tuğba Nurcan Sevgi Yasemin Ebru""".split()
TR_SURNAME = """Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan
Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz Can Acar Şen
Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal Turan Gül Özer Işık Kaplan Avcı Sarı Tekin Taş
Köse Yüksel Ateş Aksoy Karataş Kocabaş Uçar Karakaya Erdem Tunç Kahraman Altun Akın Çiftçi Sönmez
Başaran Karaca Gündoğdu""".split()
TR_PREFIXES = """Kara Ak Öz Yıl Er Gün Ay Tok Şen Kök Demir Taş Al Gök Uz Çakır Bal Yel Oğuz Tun""".split()
TR_SUFFIXES = """taş kaya can türk demir oğlu soy er al dağ göz bay kan tekin han yiğit""".split()

# Russian, Cyrillic.
RU_MALE = """Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай
Владимир Павел Роман Игорь Олег Денис Юрий Виктор Константин Вячеслав Илья Кирилл Никита Григорий
Фёдор Пётр Тимур Руслан Вадим Анатолий Геннадий Борис Валерий Станислав Леонид Георгий Аркадий""".split()
RU_FEMALE = """Елена Ольга Наталья Татьяна Ирина Светлана Анна Мария Екатерина Юлия Анастасия
Марина Людмила Дарья Ксения Валентина Галина Евгения Алёна Виктория Надежда Вера Любовь Софья
Полина Алина Кристина Яна Оксана Лариса""".split()
RU_SURNAME = """Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров
Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин
Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов
Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов
Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников
Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов
Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов
Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв
Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов
Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков
Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров
Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов Мальцев Логинов
Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Дёмин Хохлов Жданов Рябов
Шевцов Щукин Юсупов Хабибуллин Ахметов Гайдамак Жилинский Вишневский Ковальский Островский""".split()
RU_PATRONYMIC = """Александрович Сергеевич Владимирович Николаевич Викторович Андреевич
Алексеевич Иванович Михайлович Юрьевич Петрович Анатольевич Евгеньевич Дмитриевич Олегович
Игоревич Васильевич Геннадьевич Борисович Валерьевич""".split()

UA_MALE = """Олександр Сергій Андрій Дмитро Олексій Володимир Юрій Віктор Микола Василь Іван Богдан
Тарас Ігор Олег Максим Євген Петро Михайло Ярослав Григорій Степан Роман Віталій Костянтин""".split()
UA_FEMALE = """Олена Наталія Тетяна Ірина Оксана Юлія Світлана Людмила Ганна Марія Катерина Вікторія
Анастасія Ольга Галина Надія Віра Любов Христина Зоряна Іванна Соломія""".split()
UA_SURNAME = """Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бондар
Ткачук Марченко Мельник Лисенко Руденко Савченко Петренко Кравчук Клименко Павленко Мороз Кушнір
Гончаренко Романенко Левченко Харченко Карпенко Сидоренко Іваненко Захарченко Головко Пономаренко
Юрченко Литвиненко Костенко Гаврилюк Мартинюк Білоус Кузьменко Власенко Гнатюк Дорошенко Яковенко
Гребенюк Онищенко Тимошенко Остапенко Гуменюк Стасюк Семенюк Приходько Гордієнко Грищенко""".split()
UA_PATRONYMIC = """Олександрович Сергійович Миколайович Іванович Петрович Васильович Володимирович
Вікторович Михайлович Андрійович Юрійович Григорович""".split()
UA_PATRONYMIC_F = """Олександрівна Сергіївна Миколаївна Іванівна Петрівна Василівна Володимирівна
Вікторівна Михайлівна Андріївна Юріївна Григорівна""".split()
RU_STEMS = """Бел Чёрн Сер Кузьм Лис Вол Медвед Сокол Орл Голуб Журавл Ворон Кос Мал Больш Стар Нов
Добр Гром Тих Смел Зим Лет Весн Мороз Снег Гор Лес Пол Бор Луг Камен Желез Серебр Золот Мед""".split()
RU_SUFFIXES = ["ов", "ев", "ин", "ский", "енко", "чук"]

# Arabic: given names (male, female) and family names.
AR_MALE = """محمد=Mohammed|Muhammad|Mohamed|Mohammad|Mouhamed
أحمد=Ahmed|Ahmad|Ahmet
علي=Ali
عمر=Omar|Umar|Omer
خالد=Khaled|Khalid|Haled
يوسف=Youssef|Yusuf|Yousef|Youcef|Youssouf|Yossef
عبد القادر=Abdel Kader|Abdul Qadir|Abd al-Qadir|Abdul Kader|Abdelkader
مصطفى=Mustafa|Moustafa|Mostafa|Mustapha
حسن=Hassan|Hasan
حسين=Hussein|Husayn|Hussain|Hossein|Houssein
إبراهيم=Ibrahim|Ebrahim|Brahim|Ibraheem
محمود=Mahmoud|Mahmud|Mahmood
عبد الله=Abdullah|Abdallah|Abd Allah|Abdellah|Abdalla
عبد الرحمن=Abdel Rahman|Abdul Rahman|Abd al-Rahman|Abderrahmane|Abdurrahman
سعيد=Said|Saeed|Saïd|Sayed
كريم=Karim|Kareem
طارق=Tarek|Tariq|Tarik
أيمن=Ayman|Aymen
بلال=Bilal|Belal
حمزة=Hamza|Hamzah
ياسين=Yassine|Yasin|Yaseen|Yacine
سليمان=Suleiman|Sulayman|Slimane|Soliman
عثمان=Othman|Uthman|Osman|Otman
نبيل=Nabil|Nabeel
رشيد=Rachid|Rashid|Rasheed
جمال=Jamal|Gamal|Djamel|Jamel
وليد=Walid|Waleed|Oualid
عادل=Adel|Adil
هشام=Hisham|Hicham|Hesham
فيصل=Faisal|Faysal|Fayssal
أنس=Anas
زكريا=Zakaria|Zakariya|Zakaria
إسماعيل=Ismail|Ismael|Smail|Ismaïl
ماجد=Majed|Majid
سامي=Sami|Samy
نور الدين=Nour El Din|Nureddin|Noureddine|Nur al-Din
صلاح الدين=Salah El Din|Salahuddin|Salah Eddine|Salah al-Din
عبد العزيز=Abdel Aziz|Abdul Aziz|Abdelaziz|Abd al-Aziz
محمد علي=Mohammed Ali|Muhammad Ali|Mohamed Ali
جعفر=Jafar|Jaafar|Djaafar
قاسم=Qasim|Kassem|Kacem|Qassem
منصور=Mansour|Mansur
ناصر=Nasser|Nasir|Naser
عيسى=Issa|Eissa|Isa
موسى=Moussa|Musa|Mousa""".splitlines()
AR_FEMALE = """فاطمة=Fatima|Fatma|Fatimah|Fatema|Fatiha
عائشة=Aisha|Aicha|Ayesha|Aïcha|Aysha
مريم=Maryam|Mariam|Meriem|Mariem
خديجة=Khadija|Khadidja|Khadeeja|Hadija
زينب=Zainab|Zeinab|Zaynab|Zineb
نور=Nour|Noor|Nur
سارة=Sara|Sarah
ليلى=Layla|Leila|Laila|Leïla
أمينة=Amina|Aminah|Amena
هدى=Huda|Houda|Hoda
رانيا=Rania|Ranya
سلمى=Salma|Selma
ياسمين=Yasmin|Yasmine|Jasmin
دعاء=Doaa|Duaa|Dua
آمنة=Amna|Amena|Emna
رقية=Ruqayya|Rokaya|Roukaya
حليمة=Halima|Halimah
نادية=Nadia|Nadiya
سميرة=Samira|Sameera
وفاء=Wafaa|Wafa""".splitlines()
AR_FAMILY = """الحسن=Al Hassan|Al-Hassan|El Hassan|Al-Hasan
حداد=Haddad|Hadad
خليل=Khalil|Khaleel
بن علي=Ben Ali|Bin Ali
العمراني=El Amrani|Al Amrani|Al-Amrani
الأحمد=Al Ahmad|Al-Ahmed|Al Ahmed
المصري=Al Masri|El Masry|Al-Masri
الحلبي=Al Halabi|Halabi|Al-Halaby
الخطيب=Al Khatib|El Khatib|Al-Khateeb
النجار=Al Najjar|Najjar|El Naggar
الشامي=Al Shami|Shami|Al-Chami
العلي=Al Ali|Al-Ali
الجبوري=Al Jubouri|Al-Juburi|Al Jboori
التميمي=Al Tamimi|Al-Tamimi|Tamimi
العبيدي=Al Obaidi|Al-Ubaidi|Al Obeidi
الدليمي=Al Dulaimi|Al-Dulaymi|Al Dulaymi
بوعزيزي=Bouazizi|Bu Azizi
بن سالم=Ben Salem|Bin Salem
العلوي=El Alaoui|Alaoui|Al Alawi
الإدريسي=El Idrissi|Idrissi|Al Idrisi
بوزيد=Bouzid|Bu Zaid
بلقاسم=Belkacem|Belqasim|Belgacem
مرابط=Merabet|Mrabet|Murabit
شريف=Cherif|Sharif|Chérif|Sherif
حمدي=Hamdi|Hamdy
منصور=Mansour|Mansur
عيسى=Issa|Eissa
قاسم=Kassem|Qasim|Kacem
ناصر=Nasser|Nasir
درويش=Darwish|Darwich|Derwich
الكردي=Al Kurdi|Al-Kurdi|Kurdi
عثمان=Osman|Othman
عبد الله=Abdullah|Abdallah|Abdellah
إبراهيم=Ibrahim|Brahim|Ebrahim
محمود=Mahmoud|Mahmud
حسين=Hussein|Hussain|Husayn
سعيد=Said|Saeed|Saïd
يوسف=Youssef|Yousef|Yusuf
الحمد=Al Hamad|Al-Hamad|El Hamad
الصالح=Al Saleh|Al-Salih|Es Saleh
عبد الرحمن=Abdel Rahman|Abdul Rahman|Abderrahmane
أبو بكر=Abu Bakr|Abou Bakr|Abubakar
أبو زيد=Abu Zaid|Abou Zeid|Abu Zayd
الزين=Al Zein|El Zein|Al-Zayn
الحسيني=Al Husseini|Al-Husayni|El Husseini
البغدادي=Al Baghdadi|Al-Baghdadi|El Baghdadi
الموصلي=Al Mosuli|Al-Mawsili|El Mousli
الحمصي=Al Homsi|Al-Himsi|Homsi
الدمشقي=Al Dimashqi|Al-Dimashki|Dimashki
الشريف=Al Sharif|El Cherif|Al-Sharif
الرفاعي=Al Rifai|Al-Rifaie|Rifai
الزعبي=Al Zoubi|Al-Zubi|Zoubi
الأسعد=Al Asaad|Al-Asad|El Assaad
البكري=Al Bakri|El Bakry|Al-Bakri
السيد=El Sayed|Al Sayyid|El Sayyed
عبد العزيز=Abdel Aziz|Abdul Aziz|Abdelaziz
بن يوسف=Ben Youssef|Benyoucef|Bin Yusuf
بوعلام=Boualem|Bu Alam
مسعود=Massoud|Masoud|Mesaoud
طاهر=Taher|Tahir|Tahar
الطحان=Al Tahhan|El Tahan|Tahhan""".splitlines()

FA_MALE = """محمد=Mohammad|Mohammed|Muhammad|Mohamad
احمد=Ahmad|Ahmed
علی=Ali
رضا=Reza|Raza|Riza
حسین=Hossein|Hussain|Husain|Hosein
مهدی=Mahdi|Mehdi
امیر=Amir|Ameer
حمید=Hamid|Hameed
محمود=Mahmoud|Mahmood|Mahmud
جواد=Javad|Jawad
عبدالله=Abdullah|Abdollah|Abdulla
نور محمد=Noor Mohammad|Nur Mohammad|Nor Mohammad
گل احمد=Gul Ahmad|Gol Ahmad|Gul Ahmed
ظاهر=Zahir|Zaher
شریف=Sharif|Sharef|Shareef
فرید=Farid|Fareed
کریم=Karim|Kareem
رحیم=Rahim|Raheem
نجیب=Najib|Najeeb|Nadjib
اسد=Asad|Assad
سهراب=Sohrab|Suhrab
یوسف=Yousef|Yusuf|Yosef
عبدالرحیم=Abdul Rahim|Abdurrahim|Abdol Rahim
عبدالقادر=Abdul Qadir|Abdul Qader|Abdolghader
محمد نبی=Mohammad Nabi|Mohammed Nabi|Muhammad Nabi
غلام=Ghulam|Gholam|Golam
خان محمد=Khan Mohammad|Khan Muhammad
مصطفی=Mustafa|Mostafa
سید=Sayed|Sayyed|Seyed|Said
حبیب=Habib|Habeeb
ولی=Wali|Vali
بشیر=Bashir|Basheer
قاسم=Qasim|Ghasem|Kasem""".splitlines()
FA_FEMALE = """فاطمه=Fatemeh|Fatima|Fatema
زهرا=Zahra|Zohra|Zehra
مریم=Maryam|Mariam
معصومه=Masoumeh|Masuma|Masooma
زینب=Zainab|Zeynab|Zeinab
پریسا=Parisa
نرگس=Nargis|Narges
شبنم=Shabnam
فرزانه=Farzana|Farzaneh
مینا=Mina|Meena
سکینه=Sakina|Sakineh
گلثوم=Kulsum|Golsum|Gulsoom
فریبا=Fariba
لیلا=Leila|Laila|Layla
طاهره=Tahereh|Tahira|Tahera""".splitlines()
FA_FAMILY = """احمدی=Ahmadi|Ahmady
محمدی=Mohammadi|Muhammadi|Mohamadi
رحیمی=Rahimi|Rahimy
حسینی=Hosseini|Husseini|Hussaini|Hoseini
کریمی=Karimi|Karimy
رضایی=Rezaei|Rezai|Rezayi|Rezaie
هاشمی=Hashemi|Hashimi
جعفری=Jafari|Jafary|Djafari|Jaafari
صادقی=Sadeghi|Sadiqi|Sadeqi
نظری=Nazari|Nazary
حیدری=Haidari|Heydari|Haydari|Heidari
سلطانی=Sultani|Soltani
قادری=Qaderi|Ghaderi|Kaderi
عزیزی=Azizi|Azizy
امیری=Amiri|Amiry
رسولی=Rasuli|Rasouli|Rasooli
استانکزی=Stanikzai|Stanekzai|Stanakzai
احمدزی=Ahmadzai|Ahmadzay
پوپل=Popal|Pophal
نوری=Noori|Nouri|Nuri
صافی=Safi|Saafi
وردک=Wardak|Vardak
یوسفزی=Yousufzai|Yousafzai|Yusufzai
نیازی=Niazi|Neyazi
شینواری=Shinwari|Shinwary
بارکزی=Barakzai|Barakzay
هوتک=Hotak|Hotaki
حبیبی=Habibi|Habiby
واحدی=Wahidi|Vahedi
جلالی=Jalali|Djalali
اکبری=Akbari|Akbary
مرادی=Moradi|Muradi
غفوری=Ghafoori|Ghafuri|Ghafouri
موسوی=Mousavi|Musawi|Moosavi
کاظمی=Kazemi|Kazimi|Kazemy
نجفی=Najafi|Nadjafi
تهرانی=Tehrani|Teherani
رحمانی=Rahmani|Rahmany
شریفی=Sharifi|Sharify
عباسی=Abbasi|Abasi""".splitlines()

UR_MALE = """محمد=Muhammad|Mohammad|Mohammed|Muhammed
علی=Ali
احمد=Ahmed|Ahmad
حسن=Hassan|Hasan
عثمان=Usman|Osman|Othman
بلال=Bilal
عمران=Imran
آصف=Asif|Aasif
طارق=Tariq|Tarik
کامران=Kamran
فیصل=Faisal|Faysal
زبیر=Zubair|Zubayr|Zubeir
شاہد=Shahid|Shahed
وقاص=Waqas|Waqqas
عدنان=Adnan
نوید=Naveed|Navid
عرفان=Irfan
رضوان=Rizwan|Rizvan
ساجد=Sajid|Sajjad
جنید=Junaid|Junayd
ارسلان=Arslan
عمر=Umar|Omar
حمزہ=Hamza|Hamzah
فرحان=Farhan
دانش=Danish""".splitlines()
UR_FEMALE = """عائشہ=Ayesha|Aisha|Aysha
فاطمہ=Fatima|Fatimah
ثنا=Sana|Sanaa
حنا=Hina|Heena
صائمہ=Saima|Saema
نادیہ=Nadia|Nadiya
آمنہ=Amna|Aamna|Amina
رابعہ=Rabia|Rabiya
زینب=Zainab|Zaynab
مہوش=Mehwish|Mahwish
اقرا=Iqra|Iqraa
خدیجہ=Khadija|Khadeeja""".splitlines()
UR_FAMILY = """خان=Khan
احمد=Ahmed|Ahmad
علی=Ali
حسین=Hussain|Hussein|Husain
شاہ=Shah
ملک=Malik
اقبال=Iqbal|Ikbal
بٹ=Butt|But
چوہدری=Chaudhry|Choudhary|Chaudhary|Chaudhri
قریشی=Qureshi|Kureshi|Qureishi
رضا=Raza|Rza
صدیقی=Siddiqui|Siddiqi|Sidiqi
عباسی=Abbasi
مرزا=Mirza
رانا=Rana
شیخ=Sheikh|Shaikh|Sheik
جاوید=Javed|Javaid
اسلم=Aslam
اختر=Akhtar|Akhter
بھٹی=Bhatti
اعوان=Awan
رحمان=Rehman|Rahman
انور=Anwar
محمود=Mahmood|Mehmood|Mahmud
ارشد=Arshad
نواز=Nawaz
بیگ=Baig|Beg
ہاشمی=Hashmi|Hashemi
یوسف=Yousaf|Yousuf|Yusuf
زمان=Zaman""".splitlines()

BN_MALE = """Mohammad|Md|Muhammad|Mohammed
Abdul
Rafiqul|Rafikul
Aminul
Shahidul|Shohidul
Mizanur
Habibur
Saiful|Shaiful
Rezaul
Nazrul
Kamrul|Kamrul
Jahangir
Alamgir
Mosharraf|Mosharof
Anwar|Anowar
Shafiqul|Shafikul
Tanvir|Tanveer
Sohel|Shohel
Rubel
Sumon|Shumon
Rasel|Russel
Shakil|Shakeel
Mamun|Mamoon
Delwar|Dilwar
Monir|Moniruzzaman""".splitlines()
BN_FEMALE = """Nasrin|Nasreen
Taslima|Tasleema
Shirin|Sheereen
Rokeya|Rokaiya
Sultana
Parvin|Parveen|Perveen
Salma
Rina
Ruma
Fatema|Fatima
Shahnaz|Shanaz
Nusrat|Nushrat
Sabina
Jesmin|Jasmine|Jasmin
Morjina|Marjina""".splitlines()
BN_FAMILY = """Islam
Rahman|Rehman
Hossain|Hussain|Hosen|Hossen
Uddin|Uddeen
Ahmed|Ahmad
Alam
Khan
Akter|Akhter|Akhtar
Begum|Begom
Chowdhury|Choudhury|Chaudhuri
Miah|Mia|Miya
Sarkar|Sarker
Sheikh|Shaikh
Mollah|Molla
Haque|Hoque|Huq
Karim
Ali
Mondal|Mandal
Talukder|Talukdar
Bhuiyan|Bhuiya|Bhuyan
Das
Roy
Saha
Paul|Pal""".splitlines()

HI_MALE = """Rahul Amit Rajesh Suresh Sunil Vijay Anil Sanjay Ravi Manoj Deepak Arjun Rohit Vikram
Harpreet Gurpreet Manpreet Jaspreet Sandeep Pradeep Ramesh Ajay Naveen Ashok Mukesh Rakesh Dinesh
Kuldeep Balwinder Sukhwinder""".split()
HI_FEMALE = """Priya Pooja Sunita Anita Kavita Neha Deepika Lakshmi Simran Kiran Rekha Geeta Meena
Rani Anjali Divya Swati Komal Jyoti Manpreet""".split()
HI_SURNAME = """Singh Kumar Sharma Patel Gupta Verma Yadav Reddy Das Shah Mehta Joshi Gill Sandhu Sidhu
Dhillon Nair Pillai Iyer Rao Chauhan Malhotra Kapoor Agarwal Chaudhary Mishra Pandey Srivastava
Bhatia Arora Saini Thakur Rathore Tiwari Dubey Jain Bose Banerjee Mukherjee""".split()
HI_ALT = {"Kapoor": "Kapur", "Agarwal": "Aggarwal|Agrawal", "Chaudhary": "Chaudhari|Choudhary",
          "Mishra": "Misra", "Pandey": "Pande", "Srivastava": "Shrivastava", "Tiwari": "Tewari",
          "Dubey": "Dube", "Banerjee": "Banerji", "Mukherjee": "Mukherji", "Naveen": "Navin",
          "Pradeep": "Pradip", "Sandeep": "Sandip", "Deepak": "Dipak", "Deepika": "Dipika",
          "Jyoti": "Joti", "Geeta": "Gita", "Meena": "Mina", "Lakshmi": "Laxmi",
          "Kuldeep": "Kuldip", "Rohit": "Rohith", "Vijay": "Vijai"}

# Arabic nisbas and "Al"-forms of places and tribes, for the long tail of family names.
AR_NISBA = """حلبي=Halabi|Halaby
حمصي=Homsi|Himsi
حموي=Hamawi|Hamwi
إدلبي=Idlibi|Edlibi
درعاوي=Daraawi|Deraawi
رقاوي=Raqqawi|Rakkawi
ديري=Deiri|Dairi
بصري=Basri|Basry
كربلائي=Karbalai|Karbalaei
نجفي=Najafi|Nadjafi
تكريتي=Tikriti|Takriti
أنباري=Anbari|Anbary
سامرائي=Samarrai|Samarraie
كبيسي=Kubaisi|Kbeisi
زبيدي=Zubaidi|Zubeidi|Zbidi
سوداني=Sudani|Soudani
طرابلسي=Trabelsi|Tarabulsi
قيرواني=Kairouani|Qayrawani
صفاقسي=Sfaxi|Safaqsi
فاسي=Fassi|Fasi
مراكشي=Marrakchi|Marrakshi
وهراني=Wahrani|Ouahrani
قسنطيني=Qasantini|Constantini
تلمساني=Tlemcani|Tilimsani
أسيوطي=Asyuti|Assiouty
منوفي=Menoufi|Manoufi
إسكندراني=Iskandarani|Eskandarani
جزائري=Jazairi|Djazairi
تونسي=Tounsi|Tunisi
شمري=Shammari|Chammari
عنزي=Anazi|Enezi
حربي=Harbi|Harby
عتيبي=Otaibi|Oteibi
قحطاني=Qahtani|Kahtani
ساعدي=Saadi|Saedi
جبوري=Jubouri|Juburi
مالكي=Maliki|Malki
عامري=Amiri|Ameri
هاشمي=Hashemi|Hashimi""".splitlines()

# ---------------------------------------------------------------------------------------------
# Spelling systems.

def fold(s):
    """Lower case, no diacritics, letters and spaces only: what tells spellings apart."""
    s = s.replace("ı", "i").replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in s).split())


def strip_diacritics(s):
    s = (s.replace("ı", "i").replace("İ", "I").replace("đ", "d").replace("Đ", "D")
         .replace("ł", "l").replace("Ł", "L"))
    s = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def _replace_all(s, pairs):
    """Apply ordered (from, to) replacements, matching case of the first letter."""
    out = []
    i = 0
    while i < len(s):
        for a, b in pairs:
            if s.startswith(a, i) or s[i:i + len(a)].lower() == a:
                seg = s[i:i + len(a)]
                if seg[0].isupper() and b:
                    b2 = b[0].upper() + b[1:] if not seg.isupper() or len(seg) == 1 else b.upper()
                else:
                    b2 = b
                out.append(b2)
                i += len(a)
                break
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


SH_TO_CYR = [("dž", "џ"), ("lj", "љ"), ("nj", "њ"), ("a", "а"), ("b", "б"), ("c", "ц"),
             ("č", "ч"), ("ć", "ћ"), ("d", "д"), ("đ", "ђ"), ("e", "е"), ("f", "ф"), ("g", "г"),
             ("h", "х"), ("i", "и"), ("j", "ј"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
             ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("š", "ш"), ("t", "т"), ("u", "у"),
             ("v", "в"), ("z", "з"), ("ž", "ж")]
SH_MRZ = [("dž", "dz"), ("đ", "dj"), ("č", "c"), ("ć", "c"), ("š", "s"), ("ž", "z")]
SH_ENGLISH = [("dž", "j"), ("đ", "dj"), ("č", "ch"), ("ć", "ch"), ("š", "sh"), ("ž", "zh")]

SQ_TO_CYR = [("xh", "џ"), ("gj", "ђ"), ("sh", "ш"), ("zh", "ж"), ("dh", "д"), ("th", "т"),
             ("nj", "њ"), ("ll", "л"), ("rr", "р"), ("ë", "е"), ("ç", "ч"), ("q", "ћ"),
             ("x", "дз"), ("y", "и"), ("c", "ц"), ("a", "а"), ("b", "б"), ("d", "д"),
             ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("j", "ј"), ("k", "к"),
             ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
             ("t", "т"), ("u", "у"), ("v", "в"), ("z", "з")]
SQ_SR_LATIN = [("xh", "dž"), ("gj", "đ"), ("sh", "š"), ("zh", "ž"), ("dh", "d"), ("th", "t"),
               ("ll", "l"), ("rr", "r"), ("ë", "e"), ("ç", "č"), ("q", "ć"), ("x", "dz"),
               ("y", "i")]
SQ_ENGLISH = [("xh", "j"), ("ç", "ch"), ("q", "ch"), ("ë", "e"), ("gj", "gi")]

TR_GERMAN = [("ş", "sch"), ("ç", "tsch"), ("ğ", ""), ("ı", "i"), ("ö", "oe"), ("ü", "ue")]
TR_ENGLISH = [("ş", "sh"), ("ç", "ch"), ("ğ", "gh"), ("ı", "i"), ("ö", "o"), ("ü", "u")]

_VOWELS = set("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")


def _cyr(s, table, start=None, after_vowel=None, end=None):
    """Romanise Cyrillic `s` letter by letter with `table`; `start` / `after_vowel` override the
    table at the start of a word and after a vowel, soft or hard sign; `end` maps word endings."""
    low = s.lower()
    out = []
    if end:
        for a, b in end:
            if low.endswith(a):
                tail = b
                low = low[: -len(a)]
                break
        else:
            tail = ""
    else:
        tail = ""
    i = 0
    while i < len(low):
        if i + 1 < len(low) and low[i:i + 2] in table:
            out.append(table[low[i:i + 2]])
            i += 2
            continue
        c = low[i]
        prev = low[i - 1] if i else ""
        if i == 0 and start and c in start:
            out.append(start[c])
        elif prev and (prev in _VOWELS or prev in "ьъ") and after_vowel and c in after_vowel:
            out.append(after_vowel[c])
        else:
            out.append(table.get(c, c))
        i += 1
    r = "".join(out) + tail
    return r[:1].upper() + r[1:]


_RU_BASE = dict(zip("абвгдезиклмнопрстуфы", "abvgdeziklmnoprstufy"))
RU_ICAO = dict(_RU_BASE, **{"ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch",
                             "ш": "sh", "щ": "shch", "ъ": "ie", "ь": "", "э": "e", "ю": "iu",
                             "я": "ia"})
RU_1997 = dict(_RU_BASE, **{"ё": "e", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
                             "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "э": "e", "ю": "yu",
                             "я": "ya"})
RU_BGN = dict(_RU_BASE, **{"ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
                            "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "э": "e", "ю": "yu",
                            "я": "ya", "кс": "x", "ья": "ya", "ье": "ye"})
RU_GERMAN = dict(_RU_BASE, **{"в": "w", "з": "s", "ё": "jo", "ж": "sch", "й": "i", "х": "ch",
                               "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "",
                               "ь": "", "э": "e", "ю": "ju", "я": "ja", "кс": "x", "ья": "ja"})
RU_FRENCH = dict(_RU_BASE, **{"у": "ou", "ё": "io", "ж": "j", "й": "ï", "х": "kh", "ц": "ts",
                               "ч": "tch", "ш": "ch", "щ": "chtch", "ъ": "", "ь": "", "э": "e",
                               "ю": "iou", "я": "ia", "ге": "gue", "ги": "gui"})

UA_NATIONAL = dict(zip("абвгґдезиіклмнопрстуф", "abvhgdezyiklmnoprstuf"),
                   **{"є": "ie", "ж": "zh", "ї": "i", "й": "i", "х": "kh", "ц": "ts",
                      "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia",
                      "зг": "zgh"})
UA_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
UA_SOVIET = dict(zip("абвгґдезиіклмнопрстуф", "abvggdeziiklmnoprstuf"),
                 **{"є": "ye", "ж": "zh", "ї": "yi", "й": "y", "х": "kh", "ц": "ts",
                    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "yu", "я": "ya"})


def ru_forms(c):
    """Latin spellings of a Russian name in Cyrillic, one per system, in the order of RU_SYSTEMS."""
    return [
        _cyr(c, RU_ICAO),
        _cyr(c, RU_1997, end=[("ий", "iy")]),
        _cyr(c, RU_BGN, start={"е": "ye"}, after_vowel={"е": "ye"}, end=[("ий", "y")]),
        _cyr(c, RU_GERMAN, start={"е": "je"}, after_vowel={"е": "je"}, end=[("ий", "i")]),
        _cyr(c, RU_FRENCH, after_vowel={"е": "ie"}, end=[("ий", "i")]),
    ]


def ua_forms(c):
    """Ukraine's national system (2010), then the Soviet-era Russian-style spelling."""
    return [_cyr(c, UA_NATIONAL, start=UA_START), _cyr(c, UA_SOVIET)]


# Systems of the "systematic" cultures, in the order their *_forms functions return spellings.
SH_SYSTEMS = ["native", "ascii", "mrz", "english"]
SQ_SYSTEMS = ["native", "ascii", "english", "serbian"]
TR_SYSTEMS = ["native", "ascii", "german", "english"]
RU_SYSTEMS = ["icao2013", "passport1997", "bgn", "german", "french"]
UA_SYSTEMS = ["national2010", "soviet"]


def sh_forms(name):
    """Serbian Latin name -> (spellings in the order of SH_SYSTEMS, Cyrillic)."""
    forms = [name, strip_diacritics(name), _replace_all(name, SH_MRZ),
             _replace_all(name, SH_ENGLISH)]
    return forms, _replace_all(name, SH_TO_CYR)


def sq_forms(name):
    forms = [name, strip_diacritics(name), _replace_all(name, SQ_ENGLISH),
             _replace_all(name, SQ_SR_LATIN)]
    return forms, _replace_all(name, SQ_TO_CYR)


def tr_forms(name):
    forms = [name, strip_diacritics(name), _replace_all(name, TR_GERMAN),
             _replace_all(name, TR_ENGLISH)]
    return forms, None
