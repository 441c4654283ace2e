import ContactsIcon from '@mui/icons-material/Contacts';
import type { Contact } from '../types';
import { ContactList } from './ContactList';
import { ContactShow } from './ContactShow';

export default {
    list: ContactList,
    show: ContactShow,
    icon: ContactsIcon,
    recordRepresentation: (record: Contact) => record.name || record.phoneNumber || '',
};
