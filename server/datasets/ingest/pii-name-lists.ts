// Name lists for the PII person-name scan beyond the English first names: given names and surnames of many cultures, honorifics and particles.

/**
 * Given names from many languages (Spanish, Portuguese, Italian, French, German, Dutch, Nordic, Slavic, Greek,
 * Turkish, Arabic, Persian, South Asian, West and East African, Chinese (pinyin), Vietnamese, Korean, Japanese,
 * Thai, Indonesian, Filipino), written without diacritics: the scan compares names with their diacritics removed.
 */
const GIVEN = `
jose juan carlos luis miguel javier alejandro francisco antonio manuel pedro pablo diego sergio jorge rafael fernando
alberto andres ricardo eduardo raul enrique ramon ignacio alvaro gonzalo rodrigo santiago mateo joaquin emilio
guillermo hector ruben adrian cristian ivan oscar marcos nicolas tomas agustin esteban felipe julio cesar arturo
alfonso gustavo hugo mario rosa maria carmen ana isabel lucia sofia elena pilar dolores mercedes consuelo
esperanza guadalupe lourdes rocio beatriz cristina patricia veronica monica silvia raquel ines marta nuria
montserrat alba paula laura andrea claudia daniela valentina camila gabriela mariana fernanda ximena catalina
florencia agustina josefina luciana julieta milagros soledad marisol yolanda araceli leticia teresa inmaculada
joao paulo tiago goncalo rui nuno duarte bruno vitor thiago leandro rodrigo gustavo caio matheus leonardo
vinicius felipe renato anderson wellington washington francisca joana leonor beatriz mariana ines goreti
conceicao fatima aparecida adriana luana larissa leticia thais bianca
giuseppe giovanni francesco alessandro luca marco matteo lorenzo andrea stefano davide riccardo simone federico
emanuele salvatore vincenzo gennaro carmine pasquale domenico rocco vittorio massimo fabrizio maurizio claudio
giulia chiara francesca alessandra elisa federica giorgia martina serena valentina silvia roberta simona paola
giovanna antonella lucrezia caterina gianluca pierluigi gianni enzo ottavio
jean pierre jacques michel philippe alain bernard christophe francois laurent nicolas olivier pascal patrick
thierry didier eric frederic gerard herve yves sebastien julien mathieu guillaume antoine baptiste benoit
clement etienne fabien jerome lucien maxime remi romain theo thibault valentin yannick xavier
marie jeanne francoise monique nathalie isabelle sylvie catherine christine veronique sophie celine aurelie
camille chloe manon lea juliette margaux oceane elodie amelie helene genevieve brigitte dominique josette
mathilde clemence anais ludivine capucine solene
hans jurgen klaus dieter wolfgang gunter helmut horst uwe rainer manfred werner heinz karl friedrich wilhelm
heinrich johann jorg jens sven lars torsten matthias stefan andreas thomas markus florian tobias lukas jonas
maximilian moritz niklas felix leon finn paul ludwig gottfried siegfried ulrich volker bernd detlef kai till
ursula gisela helga ingrid renate brigitte sabine petra monika birgit heike anke silke katrin kerstin claudia
susanne stefanie julia lena lea hannah mia emma leonie johanna annika frieda greta lotte wiebke gudrun
hermann ernst otto egon rolf ralf dirk gerd ingo kurt
jan pieter joost bram daan sander ruud wim henk kees sjoerd maarten thijs niels bas floor sanne anouk femke
lieke marloes mieke ineke
lars anders johan magnus nils olaf bjorn erik sven gunnar leif henrik mikkel rasmus soren kasper jesper
astrid ingrid sigrid freya linnea solveig elin kari liv sunniva maja
ivan dmitri dmitry sergei sergey alexei alexey andrei andrey mikhail nikolai vladimir yuri boris oleg igor
pavel anatoly viktor konstantin grigory arkady vasily yevgeny evgeny stanislav vyacheslav maxim artem kirill
roman denis ilya egor timur ruslan bogdan taras mykola olena oksana iryna natalia natalya svetlana tatiana
tatyana olga irina ekaterina yekaterina anastasia anna elena yelena ludmila lyudmila galina valentina
nadezhda marina yulia daria darya ksenia polina alina vera zoya lyubov larisa
piotr pawel krzysztof tomasz marcin grzegorz wojciech lukasz michal jakub mateusz kamil dariusz zbigniew
jerzy andrzej janusz tadeusz katarzyna malgorzata agnieszka joanna barbara ewa magdalena zofia jadwiga
dorota beata wanda halina grazyna
jiri petr tomas vaclav milan zdenek lenka jana hana eva
dimitris giorgos georgios konstantinos nikos yiannis ioannis christos panagiotis vasilis spyros stavros
eleni maria katerina despina sofia vasiliki georgia athina ourania
mehmet mustafa ahmet ali huseyin hasan ibrahim ismail osman yusuf murat emre burak kemal cem serkan volkan
ozgur tolga baris kaan can deniz elif ayse fatma zeynep emine hatice meryem esra ozlem gulsen sibel derya
selin ebru burcu aylin
mohammed muhammad mohamed mohammad ahmed ahmad mahmoud mahmud omar umar khalid khaled abdullah abdul abdallah
abdulrahman abdelaziz hassan hussein husain hamza yousef youssef ibrahim ismail karim kareem tariq tarek
walid waleed samir sameer nabil jamal faisal fahad saeed said rashid rami ziad bilal adnan anwar bashir
fadi firas hadi hisham imad jalal majid marwan mazen mustafa nasser qasim salim salman sami sultan talal
yasser yasir zaid zayed amr osama usama ayman
fatima fatimah aisha aysha khadija maryam mariam zainab zaynab layla leila laila amina aminah nour noor
huda hana hanan rania salma samira yasmin yasmine jamila nadia noura reem rana lina dina mona sara sarah
hala ghada farah iman asma sumaya safiya rukhsana
reza ali hossein mehdi amir arash babak behnam dariush farhad hamid kamran kourosh mohsen navid omid
parviz payam ramin saeed shahram siamak vahid ziba shirin parisa nasrin mahsa maryam azadeh fereshteh
leyla golnar roya niloufar
raj rahul rohit amit sumit ankit arjun vikram vijay sanjay sunil anil ajay rakesh ramesh suresh mahesh
dinesh ganesh rajesh mukesh naresh pradeep sandeep deepak manoj vinod ashok prakash krishna gopal
venkat venkatesh srinivas subramanian ravi kiran arun varun karthik aditya abhishek akash nikhil
siddharth harsh yash aman gaurav vivek vishal kunal rohan ishaan aarav vihaan sai manish rajiv sachin
priya pooja neha anjali divya kavya shruti sneha swati anita sunita kavita savita lakshmi meena geeta
sita radha deepa rekha usha asha nisha preeti ritu sonia aishwarya ananya aditi isha riya shreya
tanvi nandini padma parvati saraswati bhavna jyoti kajal komal madhuri mamta archana harpreet gurpreet
manpreet jaspreet simran navjot amandeep baljit
tariq imran asif kashif faisal shahid zahid nadeem naveed waqar usman bilal hamza saima shazia ayesha
bushra nazia rabia sana uzma
chinedu chukwuemeka emeka obinna nnamdi ikechukwu uchenna chidi chibuike ifeanyi kelechi nonso ngozi
chiamaka chioma adaeze adaora amaka nneka ifeoma uche oluwaseun seun olumide oluwatobi tobi tunde
babatunde adebayo ayodele bolaji femi folake funmilayo funmi kemi kehinde taiwo yetunde yewande
abiodun adewale akin gbenga segun sola wale tolu temitope bukola bisi busayo damilola dayo
musa ibrahim abubakar aminu bello sani usman yakubu zainab hauwa halima aisha binta
kwame kofi kwabena kwaku yaw kojo kwesi akosua ama abena akua yaa efua adwoa esi
jomo wanjiru wambui njeri kamau otieno ochieng odhiambo akinyi atieno wanjiku mwangi kipchoge
thabo sipho themba mandla bongani lwazi nomvula thandiwe zanele lindiwe palesa
tendai tatenda chipo rudo farai tafadzwa
abebe tesfaye haile dawit yohannes mekdes selam tigist hiwot almaz
wei jing li na ming hui hong jun yan ying fang lei jie tao bin bo chao gang hao hua jian jin kai
lan lin ling mei min ning ping qiang qing rui shan tian ting xia xiao xin xiu yang yi yong yu yue
yun zhen zhi zhong chen feng gui hai heng lian liang long peng qi qian shu song wen xi xu yao ye
jiayi zihan yuxuan haoran zixuan xinyi yutong yichen jiahao junjie xiaoming xiaohong xiaoli xiaoyan
jianguo jianhua guoqiang zhiqiang weiming haiyan lihua lijuan xiuying guiying yufang
minh anh thanh hung tuan dung duc hieu huy khanh linh lan mai nga ngoc nhung phuong quang quynh thao
thu thuy trang trung tu van viet vy yen hoa hai hanh hao hoang hong huong khoa kim long my nam nhi
an thi van phuc quoc son tam tan thang thien thinh tien toan tri tuyet vinh bao cuong dat diep giang
minjun min-jun seojun seo-jun jiho ji-ho jiwoo ji-woo hyun jihoon ji-hoon junho jun-ho dohyun do-hyun
minho min-ho sungmin sung-min jaehyun jae-hyun taeyang yejin ye-jin seoyeon seo-yeon jiyeon ji-yeon
soyeon so-yeon minji min-ji jisoo ji-soo eunji eun-ji hyejin hye-jin sooah soo-ah jimin ji-min
yuna yu-na haeun ha-eun seoyun seo-yun subin su-bin dong-hyun younghee young-hee chulsoo chul-soo
hiroshi takashi takeshi kenji kenichi hiroki hiroto yuki yuto haruto sota riku ren daiki kazuki
kaito shota shun tatsuya tomoya naoki masato makoto satoshi akira yusuke ryota daisuke kosuke sho
haruki ichiro jiro taro koji shinji tetsuya yoshiro
yuko yoko keiko akiko michiko naoko tomoko sachiko kazuko hiroko emi yumi mayumi ayumi naomi yui
hina sakura aoi rin mio haruka misaki nanami ayaka asuka kaori megumi yuka yukiko chihiro ai mai
somchai somsak sompong anan niran wichai malee siriporn suda pim nong ploy
budi agus bambang joko eko dewi sri siti putri ayu wahyu hendra yudi rina indah
juan jose mark joseph john paul michael angelo rodel jun-jun maricel marites rowena lorna
`;

/** Surnames from the same languages, and the most common English ones (without diacritics). */
const SURNAMES = `
smith johnson williams jones brown davis miller wilson moore taylor anderson thomas jackson white harris martin
thompson robinson clark lewis lee walker hall allen young hernandez king wright lopez hill scott green adams
baker nelson carter mitchell perez roberts turner phillips campbell parker evans edwards collins stewart
sanchez morris rogers reed cook morgan bell murphy bailey rivera cooper richardson cox howard ward torres
peterson gray ramirez james watson brooks kelly sanders price bennett wood barnes ross henderson coleman
jenkins perry powell long patterson hughes flores washington butler simmons foster gonzales bryant
alexander russell griffin diaz hayes myers ford hamilton graham sullivan wallace woods cole west jordan
owens reynolds fisher ellis harrison gibson mcdonald cruz marshall ortiz gomez murray freeman wells webb
simpson stevens tucker porter hunter hicks crawford henry boyd mason morales kennedy warren dixon ramos
reyes burns gordon shaw holmes rice robertson hunt black daniels palmer mills nichols grant knight
ferguson rose stone hawkins dunn perkins hudson spencer gardner stephens payne pierce berry matthews
arnold wagner willis ray watkins olson carroll duncan snyder hart cunningham bradley lane andrews ruiz
harper fox riley armstrong carpenter weaver greene lawrence elliott chavez sims austin peters kelley
franklin lawson fields obrien o'brien oconnor o'connor osullivan o'sullivan mcarthur mckenzie macdonald
baker walsh byrne ryan doyle quinn kavanagh fitzgerald
garcia rodriguez martinez gonzalez fernandez lopez perez sanchez ramirez torres flores rivera gomez diaz
morales reyes cruz ortiz gutierrez chavez ramos ruiz alvarez mendoza castillo jimenez moreno romero
herrera medina aguilar vargas castro guzman munoz rojas navarro dominguez vazquez blanco suarez molina
delgado ortega santos nunez soto castaneda salazar contreras silva guerrero mendez estrada vega
figueroa campos cabrera rios luna sandoval cortes espinoza valencia ibarra pena acosta marquez serrano
iglesias cano prieto calvo gallego vidal leon herrero marin pascual santiago lozano rubio garrido
sosa benitez fuentes carrasco caballero nieto cortes velasco mora duran esteban
silva santos oliveira souza sousa pereira lima carvalho ferreira rodrigues almeida costa gomes martins
araujo melo barbosa ribeiro alves pinto cardoso teixeira correia dias moreira nascimento monteiro
rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti deluca
mancini costa giordano rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara
galli martini leone longo gentile martinelli vitale lombardo serra coppola desantis
martin bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel
garcia david bertrand roux vincent fournier morel girard andre lefevre mercier dupont lambert bonnet
francois martinez legrand garnier faure rousseau blanc guerin muller henry roussel nicolas perrin
morin mathieu clement gauthier dumont lopez fontaine chevalier robin masson sanchez gerard nguyen
boyer denis lemaire duval joly gautier roger roche roy noel meyer lucas meunier jean perez marchand
dufour blanchard gillet chevallier
muller mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schafer schaefer
koch bauer richter klein wolf schroder schroeder neumann schwarz zimmermann braun kruger krueger
hofmann hartmann lange schmitt werner schmitz krause meier lehmann schmid schulze maier kohler
koehler herrmann konig koenig walter mayer huber kaiser fuchs peters lang scholz moller moeller
weiss jung hahn schubert vogel friedrich keller gunther frank berger winkler roth beck lorenz
baumann franke albrecht schuster simon ludwig bohm boehm winter kraus martin schumacher kramer vogt
stein jager jaeger otto sommer gross seidel heinrich brandt haas schreiber graf schulte dietrich
ziegler kuhn kuehn pohl engel horn busch bergmann thomas voigt sauer arnold wolff pfeiffer
de jong jansen de vries van den berg van dijk bakker janssen visser smit meijer de boer mulder
de groot bos vos peters hendriks van leeuwen dekker brouwer de wit dijkstra smits de graaf van der meer
jensen nielsen hansen pedersen andersen christensen larsen sorensen rasmussen johansen petersen
johansson andersson karlsson nilsson eriksson larsson olsson persson svensson gustafsson pettersson
jonsson lindberg lindqvist berg haugen hagen olsen
ivanov ivanova smirnov smirnova kuznetsov kuznetsova popov popova vasiliev vasilieva petrov petrova
sokolov sokolova mikhailov mikhailova novikov novikova fedorov fedorova morozov morozova volkov volkova
alekseev lebedev semenov egorov pavlov kozlov stepanov nikolaev orlov andreev makarov nikitin zakharov
zaitsev solovyov borisov yakovlev grigoriev romanov vorobiev sergeev kuzmin frolov alexandrov
dmitriev korolev gusev kiselev ilyin maksimov polyakov sorokin vinogradov kovalev belov medvedev
antonov tarasov zhukov baranov filippov komarov davydov belyaev gerasimov bogdanov osipov sidorov
shevchenko kovalenko bondarenko tkachenko kravchenko melnyk boyko kovalchuk oliynyk lysenko
nowak kowalski kowalska wisniewski wisniewska wojcik kowalczyk kaminski lewandowski zielinski
szymanski wozniak dabrowski kozlowski jankowski mazur kwiatkowski krawczyk piotrowski grabowski
novak svoboda novotny dvorak cerny prochazka kucera vesely horak
papadopoulos papadakis georgiou nikolaidis pappas vlachos oikonomou karagiannis dimitriou
yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan kilic aslan cetin
kara koc kurt ozkan simsek polat erdogan
al-sayed alsayed al-rashid alrashid al-farsi alfarsi al-hashimi al-masri almasri al-amin haddad
khoury khouri nassar haddad hamdan saleh mansour aziz karim rahman hassan hussein ibrahim abdullah
abdel-rahman abdelrahman el-sayed elsayed mahmoud mustafa ali ahmed khalil salem darwish qureshi
farouk shaikh sheikh siddiqui chaudhry chaudhary malik mirza baig butt awan rana hashmi
hosseini mohammadi ahmadi rezaei moradi karimi jafari rahimi hashemi mousavi sadeghi kazemi
ebrahimi ghorbani amini najafi tehrani shirazi esfahani
patel shah sharma singh kumar gupta agarwal aggarwal jain mehta joshi desai reddy rao nair menon pillai
iyer iyengar krishnan subramaniam venkatesan raman natarajan chatterjee banerjee mukherjee bose ghosh
das dutta sen chakraborty bhattacharya roy sinha mishra pandey tiwari dubey shukla tripathi
chauhan yadav verma srivastava saxena kapoor khanna malhotra chopra bhatia sethi arora grover
kohli ahuja bajaj goel mittal bansal garg kulkarni deshpande patil pawar jadhav naidu hegde shetty
kamath pai bhat gill sandhu dhillon grewal sidhu brar
okafor okonkwo okeke eze nwosu obi nwachukwu chukwu okoro ugwu onyeka nnadi igwe anozie okoye
adeyemi adebayo adewale ogunleye oyelaran balogun akinola adeleke olawale ogunbiyi bankole
oladipo afolabi ajayi oyewole coker babatunde olaniyan fashola
abubakar bello danjuma mohammed yusuf lawal suleiman garba
mensah owusu boateng asante osei agyeman appiah adjei darko amoah ofori acheampong
kamau mwangi otieno ochieng odhiambo wanjiru njoroge kariuki kiprotich kipchoge omondi onyango
dlamini nkosi ndlovu khumalo zulu mokoena mahlangu sithole ngcobo mthembu
moyo ncube mutasa chikwanha tadesse bekele haile girma tesfaye alemu
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang xie
song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu
ding ren shen yao jin qiu xia fu zhong lu dai jia cui fan fang shi qian qin yin mao bai meng
hao xiong tan chan cheung chow leung wong lau ng yip kwok tsang chiu lam fung ho
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly trinh dinh lam mai truong
kim lee park choi jung jeong kang cho yoon yun jang lim im han oh seo shin kwon hwang ahn an song
jeon hong yoo ryu ko moon yang son bae baek heo nam noh ha
sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki
yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto yamashita
ishikawa nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto endo
aoki fujii nishimura fukuda ota miura fujiwara okamoto matsuda nakagawa nakano harada ono tamura
takeuchi kaneko wada nakayama ishida ueda morita hara shibata sakai kudo yokoyama miyazaki
wongsakul srisuk chaiyaporn suwannarat
santoso wijaya gunawan susanto hidayat setiawan kusuma pratama
dela cruz delacruz bautista villanueva aquino mendoza reyes garcia santos
`;

/** Lower-case words of the text, without diacritics, as a set (a list may repeat a name). */
function wordSet(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter((word) => word !== ""));
}

/** Folds a word for comparison with the lists: lower case, diacritics removed ("García" and "GARCIA" are "garcia"). */
export function foldName(word: string): string {
  if (/^[A-Za-z'-]*$/.test(word)) return word.toLowerCase();
  return word.normalize("NFD").replace(/\p{M}/gu, "").replace(/’/g, "'").toLowerCase();
}

/** Syllables of Korean given names, taken as names only as parts of a hyphenated name ("Hyun-woo", "Seo-yeon"). */
export const KOREAN_SYLLABLES: ReadonlySet<string> = wordSet(
  "min jun seo ji ho woo hoon hyun ha eun soo ah yeon yoon young jae dong sung hye jin kyung hee sang chul yong joon won bin hwan seok myung mi sook ja ok yeong su jung na rin",
);

/** Particles that join the parts of a name ("Ludwig van Beethoven", "José de la Cruz", "Mohammed bin Salman"). */
export const NAME_PARTICLES: ReadonlySet<string> = wordSet(
  "van von der den de del della di da das dos du la le ter ten bin binti ibn bint al el abu y e",
);

export const INTERNATIONAL_GIVEN_NAMES: ReadonlySet<string> = wordSet(GIVEN);
/** The surnames; particles only where they are a surname of their own (Vietnamese "Le"), not "de" of "de Jong". */
export const SURNAME_LIST: ReadonlySet<string> = new Set(
  [...wordSet(SURNAMES)].filter((word) => !NAME_PARTICLES.has(word) || word === "le"),
);

/** Words before a capitalised word that make it part of a place's name ("Saint Lucia", "São Paulo", "New York"). */
export const PLACE_PREFIXES: ReadonlySet<string> = wordSet("saint st san santa santo sao fort port mount mt lake cape new los las el");

/**
 * Honorifics and titles after which the next words are a name ("Dr. Müller", "Sra. López", "M. Dupont"), folded,
 * without their full stop. "M" counts only with the full stop.
 */
export const HONORIFICS: ReadonlySet<string> = wordSet(
  "mr mrs ms mx miss mstr dr prof professor sir dame madam madame mme mlle monsieur herr frau fraulein sr sra srta senor senora senorita dona signor signora sig dott dottore dottoressa mevrouw dhr shri smt srimati kumari alhaji alhaja hajia mallam rev reverend fr doctor",
);

/**
 * Given names and surnames of the lists above that are also ordinary English words: derived once as the names that
 * occur as a lower-case word in Moby-Dick (the method of names.ts), plus abbreviations and place-name parts
 * ("Jun", "Jan", "Hong Kong", "Sao Paulo"). Like the English COMMON_WORD_NAMES, they count only beside another name,
 * after an honorific or after a cue.
 */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = wordSet(`
till floor liv maxim can said sultan harsh akin yaw fang bo gang shan long song ye hung dung tu van my son tri dat ren
shun mark brown miller white lee hall young king hill green baker cook bell cooper brooks price wood perry foster
griffin woods west wells porter hunter mason burns hunt black mills grant knight rose stone pierce berry ray
carpenter weaver fields bonnet frank winter gross horn berg wit butt gill sun ma he dong pan ding fan ho le do oh an
moon ha jun jan kong sao santa san tan min bay wing ping ling hong park jung jang gay bang lang lima rio paris
london georgia jordan india china chad sydney florence victoria adelaide austin dallas houston lincoln washington
carolina virginia cruz rica salvador angeles roman salem orion
mon tue tues wed thu thur thurs fri sat jan feb mar apr jul aug sep sept oct nov dec perl dell win word sax java apple meta costa puerto
`);

/**
 * Words that, capitalised, are far more often an ordinary word than a name (function words, greetings, days, months,
 * words of letters, forms and organisations): never taken as an unknown name after a cue or before a surname.
 */
export const COMMON_CAPITALISED_WORDS: ReadonlySet<string> = wordSet(`
a an the and or but nor so yet if then than in on at to for of with from by as is was are were be been being it its
he she we you they i me him her us them my your his our their this that these those not no yes do does did done
have has had will would shall should can could may might must here there where when what which who whom whose why
how all any each every some many much more most other such only own same too very just also again once about above
after before below between into through during under over up down out off near per via
hi hello hey dear dearest thanks thank regards sincerely cheers best kind warm yours truly love signed sent from to
cc bcc attn subject re fw fwd date time name names patient client customer contact sender recipient author user
member guest applicant employee staff team support service services help desk admin administrator office manager
director department dept company corp corporation inc ltd llc gmbh group board committee council bank hospital
clinic university college school institute center centre street st road rd avenue ave lane boulevard city town
county state country north south east west central national international global new old big little great good
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning evening night week month
year january february march april may june july august september october november december
please note notes ok okay sorry welcome congratulations happy merry hope wish wishes see call called ask asked
tell told meet met let get got go went come came take took make made give gave know knew think thought say said
visit order invoice account payment report update meeting project task ticket issue bug error request reply
message email mail phone address number id card ssn dob birth born version release chapter section page table
figure total amount price cost fee sale sales offer free click here more info information details detail
unknown anonymous redacted none null n/a na sir madam mr mrs ms dr prof everyone everybody someone somebody
all team family friends folks guys people person man woman boy girl mother father mom dad son daughter brother
sister uncle aunt grandma grandpa baby doctor nurse teacher professor officer captain chief judge
english french german spanish chinese japanese korean russian arabic indian african american european asian
valued colleague colleagues friend partner partners hiring recruiter candidate parents guardian resident
neighbour neighbor owner editor reader readers subscriber shareholders customers clients patients users
corporation incorporated limited holdings associates foundation agency solutions systems technologies
labs studio studios media consulting industries enterprises partners bible times news post journal
mon tue tues wed thu thur thurs fri sat jan feb mar apr jun jul aug sep sept oct nov dec
daily weekly monthly newsletter digest headline headlines mailer list lists alert alerts notification
notifications security application applications web online digital software network networks internet data
cloud mobile app apps site website blog forum server linux windows
world there jr jnr snr ii iii iv phd md esq motor motors airlines bank
care unit ward room bed floor level home house work job health medical clinical history notes summary
`);

/**
 * Words that make the capitalised words before them the name of an organisation, a place or a work ("Ford Motor
 * Company", "Patient Care Unit", "Acme Corporation", "Union Station"), not a person.
 */
export const ORGANISATION_WORDS: ReadonlySet<string> = wordSet(`
company co corp corporation inc incorporated ltd limited llc plc gmbh ag sa group holdings bank hospital clinic
university college school academy institute center centre street st road rd avenue ave lane boulevard blvd drive way
motor motors airlines airways foundation agency solutions systems technologies tech labs studio studios media
consulting industries enterprises partners associates department dept office team unit care services service support
press times news post journal daily weekly park bridge river lake mountain hall house tower building station airport
square plaza hotel restaurant cafe church museum library stadium arena committee council board society club league
association union ministry court county city town village state republic kingdom island islands valley beach
`);
